/** Micrometer meters for verifications, the verifier's cache and the store. */
module dev.keys.micrometer {
    requires transitive dev.keys.core;
    requires transitive micrometer.core;

    exports dev.keys.micrometer;
}
