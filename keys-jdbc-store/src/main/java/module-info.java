/** PostgreSQL and H2 implementations of every store SPI of {@code dev.keys.api}, with shipped migrations. */
module dev.keys.jdbc {
    requires transitive dev.keys.api;
    requires transitive java.sql;
    requires com.fasterxml.jackson.databind;

    exports dev.keys.jdbc;
    // The migrations are found with ClassLoader.getResources, which sees only opened packages of a named module.
    opens dev.keys.jdbc.migration;
}
