package dev.keys.spring;

import dev.keys.core.Keys;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.lifecycle.AdminBootstrap;
import org.springframework.beans.factory.SmartInitializingSingleton;

import java.util.Optional;

/**
 * The first admin key, made sure of once every bean is ready and before the server takes requests: a configured
 * {@code keys.admin.bootstrap-key} is imported unless a key with its digest exists; without one, and with no usable
 * admin key in the store, one is created and logged once at WARN, the only time keys ever logs a key.
 */
final class AdminKeys implements SmartInitializingSingleton {
    static final String SOURCE = "keys.admin.bootstrap-key";

    private final Keys keys;
    private final KeyHasher hasher;
    private final KeysProperties.Admin admin;

    AdminKeys(Keys keys, KeyHasher hasher, KeysProperties.Admin admin) {
        this.keys = keys;
        this.hasher = hasher;
        this.admin = admin;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Optional<String> given = Optional.of(admin.getBootstrapKey()).filter(k -> !k.isEmpty());
        if (given.isEmpty() && !admin.isCreateKey()) return;
        AdminBootstrap.Result r = AdminBootstrap.builder(keys.manager(), keys.store()).hasher(hasher).clock(keys.clock()).source(SOURCE).build().ensure(given);
        System.Logger log = KeysAutoConfiguration.LOG;
        if (r instanceof AdminBootstrap.Created c) {
            log.log(System.Logger.Level.WARNING, "keys: the store held no admin key, so admin key {0} was created; it is shown"
                    + " this once and never again, keep it (or set " + SOURCE + " and restart): {1}", c.keyId(), c.plaintext());
        } else if (r instanceof AdminBootstrap.Imported i) {
            log.log(System.Logger.Level.INFO, "keys: imported " + SOURCE + " as admin key {0}", i.keyId());
        } else {
            log.log(System.Logger.Level.DEBUG, "keys: admin key {0} exists", r.keyId());
        }
    }
}
