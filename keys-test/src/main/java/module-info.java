/** Test fixtures: a manual clock and scheduler, and one behavioural spec per SPI of {@code dev.keys.api}. */
module dev.keys.test {
    requires transitive dev.keys.api;
    requires transitive org.junit.jupiter.api;

    exports dev.keys.test;
}
