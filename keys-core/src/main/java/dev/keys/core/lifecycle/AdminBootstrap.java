package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.StoreException;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The first admin key of a fresh store: without one, nobody could call the admin API. Either the operator brings
 * it (a key in the key format, imported with {@code keys:admin} unless a key with its digest is stored already, so
 * that scripts know it in advance and every instance may import it at start), or, when none is given and no usable
 * admin key exists, one is created and handed back once, for the caller to show that one time.
 *
 * <pre>{@code
 * AdminBootstrap.Result r = AdminBootstrap.builder(keys.manager(), keys.store())
 *         .hasher(hasher).clock(keys.clock()).source("KEYS_ADMIN_KEY")
 *         .build().ensure(Optional.ofNullable(System.getenv("KEYS_ADMIN_KEY")));
 * if (r instanceof AdminBootstrap.Created c) show(c.plaintext());       // the only time it exists
 * }</pre>
 */
public final class AdminBootstrap {
    public static final String DEFAULT_PREFIX = "admin_live";

    /** What {@link #ensure} did. */
    public sealed interface Result permits Imported, Known, Existing, Created {
        String keyId();
    }

    /** The given key was imported now. */
    public record Imported(String keyId) implements Result { }

    /** A key with the given key's digest was stored already (imported at an earlier start, or by another instance). */
    public record Known(String keyId) implements Result { }

    /** No key was given, and a usable admin key exists. */
    public record Existing(String keyId) implements Result { }

    /** No key was given and none was usable: this one was created. {@code plaintext} exists only here. */
    public record Created(String keyId, String plaintext) implements Result {
        @Override
        public String toString() {
            return "Created[keyId=" + keyId + "]";
        }
    }

    private final KeyManager manager;
    private final KeyStore store;
    private final KeyHasher hasher;
    private final Clock clock;
    private final String prefix, name, ownerId, tenant, source;

    private AdminBootstrap(Builder b) {
        this.manager = b.manager;
        this.store = b.store;
        this.hasher = b.hasher;
        this.clock = b.clock;
        this.prefix = b.prefix;
        this.name = b.name;
        this.ownerId = b.ownerId;
        this.tenant = b.tenant;
        this.source = b.source;
    }

    /** {@code store} is the one {@code manager} writes to: the digest of a given key is looked up there. */
    public static Builder builder(KeyManager manager, KeyStore store) {
        return new Builder(manager, store);
    }

    /**
     * Imports {@code key} if no key has its digest, or, with no key, creates an admin key if no usable one exists.
     *
     * @throws IllegalArgumentException when the given key is not of the key format (the message names the
     *                                  {@linkplain Builder#source source}, never the key)
     * @throws StoreException.Unavailable when the store cannot be reached
     */
    public Result ensure(Optional<String> key) {
        if (key.isPresent()) return importKey(key.get());
        Optional<ApiKey> existing = findUsableAdmin();
        if (existing.isPresent()) return new Existing(existing.get().id());
        IssuedKey issued = manager.create(NewKey.builder(prefix).name(name).ownerId(ownerId).tenant(tenant)
                .permissions(Set.of(AdminPolicy.ADMIN)).build(), KeyManager.SYSTEM);
        return new Created(issued.key().id(), issued.plaintext());
    }

    private Result importKey(String plaintext) {
        // Only keys of the library's format: the verifier then needs no acceptImportedKeys, and a typo fails here on
        // the checksum instead of at the first admin call.
        if (!KeyFormat.isWellFormed(plaintext)) {
            throw new IllegalArgumentException(source + " is not a well-formed key (<prefix>_<32 base62><6 checksum>)");
        }
        Optional<ApiKey> known = store.findByDigest(hasher.digest(plaintext));
        if (known.isPresent()) return new Known(known.get().id());
        try {
            ApiKey k = manager.importKey(plaintext, NewKey.builder(KeyFormat.prefix(plaintext)).name(name + " from " + source)
                    .ownerId(ownerId).tenant(tenant).permissions(Set.of(AdminPolicy.ADMIN)).build(), KeyManager.SYSTEM);
            return new Imported(k.id());
        } catch (StoreException.Duplicate raced) {          // another instance imported it first
            return store.findByDigest(hasher.digest(plaintext)).<Result>map(k -> new Known(k.id())).orElseThrow(() -> raced);
        }
    }

    /** An active, unexpired key holding {@code keys:admin}, directly, by wildcard or through a role of the manager's policy. */
    private Optional<ApiKey> findUsableAdmin() {
        Instant now = clock.instant();
        Optional<String> cursor = Optional.empty();
        do {
            Page<ApiKey> page = manager.list(new KeyQuery(Optional.empty(), Optional.empty(), KeyQuery.MAX_LIMIT, cursor));
            for (ApiKey k : page.items()) {
                if (k.status() == KeyStatus.ACTIVE && k.expiresAt().map(now::isBefore).orElse(true)
                        && manager.policy().grantsAdmin(k.roles(), k.permissions())) {
                    return Optional.of(k);
                }
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return Optional.empty();
    }

    /** Configuration of an {@link AdminBootstrap}. */
    public static final class Builder {
        private final KeyManager manager;
        private final KeyStore store;
        private KeyHasher hasher = KeyHasher.sha256();
        private Clock clock = Clock.system();
        private String prefix = DEFAULT_PREFIX, name = "admin", ownerId = "admin", tenant = "default", source = "the bootstrap key";

        private Builder(KeyManager manager, KeyStore store) {
            this.manager = Objects.requireNonNull(manager, "manager");
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The manager's hasher, to find the given key by digest. Default SHA-256. */
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }

        /** What "unexpired" is judged by. Default the system clock. */
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        /** Prefix of a created key. Default {@value #DEFAULT_PREFIX}. */
        public Builder prefix(String p) { prefix = KeyFormat.requireValidPrefix(p); return this; }

        /** Name of a created key (an imported one is named {@code <name> from <source>}). Default {@code admin}. */
        public Builder name(String n) { name = Objects.requireNonNull(n); return this; }

        /** Owner of the key. Default {@code admin}. */
        public Builder ownerId(String o) { ownerId = Objects.requireNonNull(o); return this; }

        /** Tenant of the key ({@code keys:admin} reaches every tenant anyway). Default {@code default}. */
        public Builder tenant(String t) { tenant = Objects.requireNonNull(t); return this; }

        /** Where a given key came from, for names and messages, e.g. {@code KEYS_ADMIN_KEY}. */
        public Builder source(String s) { source = Objects.requireNonNull(s); return this; }

        public AdminBootstrap build() {
            return new AdminBootstrap(this);
        }
    }
}
