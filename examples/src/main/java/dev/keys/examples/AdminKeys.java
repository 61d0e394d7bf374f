package dev.keys.examples;

import dev.keys.api.ApiKey;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.Page;
import dev.keys.api.StoreException;
import dev.keys.core.Keys;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.KeyAdminServlet;

import java.time.Instant;
import java.util.Optional;

/**
 * The first key of a fresh database: without one, nobody could call the admin API. Either the operator brings
 * it ({@code KEYS_ADMIN_KEY}, imported once, so that scripts know it in advance), or the example creates one the
 * first time it finds no usable admin key and shows it that one time.
 */
final class AdminKeys {
    static final String PREFIX = "admin_live";

    /** What start-up did about the admin key. {@code plaintext} is present only when a key was just created. */
    record Outcome(String keyId, Optional<String> plaintext, String how) { }

    private AdminKeys() {
    }

    static Outcome ensure(Keys keys, KeyHasher hasher, Optional<String> fromEnvironment) {
        if (fromEnvironment.isPresent()) return importKey(keys, hasher, fromEnvironment.get());
        Optional<ApiKey> existing = findUsableAdmin(keys);
        if (existing.isPresent()) return new Outcome(existing.get().id(), Optional.empty(), "exists");
        IssuedKey issued = keys.manager().create(NewKey.builder(PREFIX).name("example admin").ownerId("admin")
                .permissions(KeyAdminServlet.ADMIN).build(), KeyManager.SYSTEM);
        return new Outcome(issued.key().id(), Optional.of(issued.plaintext()), "created");
    }

    private static Outcome importKey(Keys keys, KeyHasher hasher, String plaintext) {
        // Only keys of the library's format: the verifier then needs no acceptImportedKeys, and a typo in the
        // variable fails here on the checksum instead of at the first admin call.
        if (!KeyFormat.isWellFormed(plaintext)) {
            throw new IllegalArgumentException("KEYS_ADMIN_KEY is not a well-formed key (<prefix>_<32 base62><6 checksum>)");
        }
        Optional<ApiKey> known = keys.store().findByDigest(hasher.digest(plaintext));
        if (known.isPresent()) return new Outcome(known.get().id(), Optional.empty(), "imported earlier");
        try {
            ApiKey key = keys.manager().importKey(plaintext, NewKey.builder(KeyFormat.prefix(plaintext)).name("admin from KEYS_ADMIN_KEY")
                    .ownerId("admin").permissions(KeyAdminServlet.ADMIN).build(), KeyManager.SYSTEM);
            return new Outcome(key.id(), Optional.empty(), "imported");
        } catch (StoreException.Duplicate raced) {          // another instance imported it first
            return keys.store().findByDigest(hasher.digest(plaintext))
                    .map(k -> new Outcome(k.id(), Optional.empty(), "imported earlier")).orElseThrow(() -> raced);
        }
    }

    /** An active, unexpired key holding {@code keys:admin}, directly, by wildcard or through a role. */
    private static Optional<ApiKey> findUsableAdmin(Keys keys) {
        Instant now = keys.clock().instant();
        Optional<String> cursor = Optional.empty();
        do {
            Page<ApiKey> page = keys.manager().list(new KeyQuery(Optional.empty(), Optional.empty(), KeyQuery.MAX_LIMIT, cursor));
            for (ApiKey k : page.items()) {
                if (k.status() == KeyStatus.ACTIVE && k.expiresAt().map(now::isBefore).orElse(true)
                        && keys.roles().flatten(k.roles(), k.permissions()).implies(KeyAdminServlet.ADMIN)) {
                    return Optional.of(k);
                }
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return Optional.empty();
    }
}
