/** The servlet filter that admits requests with a valid key, the admin API, and policy files (JSON or YAML). */
module dev.keys.servlet {
    requires transitive dev.keys.core;
    requires transitive jakarta.servlet;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires java.net.http; // GitHub's secret-scanning key list, fetched from its URL

    exports dev.keys.servlet;
}
