/** Rate limits shared by a fleet, in Redis through Lettuce: exact or local-first, with an in-process fallback. */
module dev.keys.redis {
    requires transitive dev.keys.core;
    requires lettuce.core;
    requires com.github.benmanes.caffeine;

    exports dev.keys.redis;
}
