/**
 * Key format, hashing, the verifier, authorization, limits, lifecycle and the in-memory stores of keys. Depends on
 * {@code dev.keys.api} and Caffeine only.
 */
module dev.keys.core {
    requires transitive dev.keys.api;
    requires com.github.benmanes.caffeine;
    requires java.net.http;

    exports dev.keys.core;
    exports dev.keys.core.authz;
    exports dev.keys.core.format;
    exports dev.keys.core.hash;
    exports dev.keys.core.lifecycle;
    exports dev.keys.core.limit;
    exports dev.keys.core.ops;
    exports dev.keys.core.store;
    exports dev.keys.core.verify;
    exports dev.keys.core.internal to dev.keys.servlet, dev.keys.jwt;
}
