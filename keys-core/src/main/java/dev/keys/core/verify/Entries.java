package dev.keys.core.verify;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.Environment;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyStore;
import dev.keys.api.StoreException;
import dev.keys.core.authz.RoleCatalog;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.Tiers;

import java.time.Duration;
import java.util.Optional;

/**
 * The verifier's compiled keys: a bounded cache of {@link Entry} by digest, a bounded negative cache of digests the
 * store does not know, and the only ways either changes: a load on a miss, a recompile when the roles changed, and a
 * change of this process or of the store's feed applied to one digest (or to all). Entries never expire by time and
 * are never filled from anything older than what replaced them; a state that cannot be read or compiled drops its
 * entry (fail closed), and the next request loads the key again. The hot path reads {@link #cache} directly.
 */
final class Entries {
    private static final System.Logger LOG = System.getLogger(Verifier.class.getName());

    final Cache<DigestKey, Entry> cache;
    final Cache<DigestKey, Boolean> unknown;
    private final KeyStore store;
    private final Optional<Environment> environment;
    private final RoleCatalog roles;
    private final Tiers tiers;
    private final LimiterFactory limiters;
    /** Told when the store failed to answer, and when it answered a load. */
    private final Runnable storeFailed, storeAnswered;

    Entries(KeyStore store, long size, long unknownSize, Duration unknownTtl, Optional<Environment> environment, RoleCatalog roles,
            Tiers tiers, LimiterFactory limiters, Runnable storeFailed, Runnable storeAnswered) {
        // Maintenance (draining read buffers, evicting) runs on the calling thread, amortised: on a small machine a
        // pool thread doing it competes with the request threads for the same cores.
        this.cache = Caffeine.newBuilder().maximumSize(size).executor(Runnable::run).recordStats().build();
        this.unknown = Caffeine.newBuilder().maximumSize(unknownSize).expireAfterWrite(unknownTtl).executor(Runnable::run).build();
        this.store = store;
        this.environment = environment;
        this.roles = roles;
        this.tiers = tiers;
        this.limiters = limiters;
        this.storeFailed = storeFailed;
        this.storeAnswered = storeAnswered;
    }

    /** A digest not cached: loaded into the cache, or remembered as unknown (null). */
    Entry load(DigestKey probe) {
        DigestKey key = probe.copy();
        Entry e = cache.get(key, this::read);
        if (e == null) unknown.put(key, Boolean.TRUE);
        return e;
    }

    private Entry read(DigestKey digest) {
        Optional<ApiKey> key = store.findByDigest(digest.toDigest());
        storeAnswered.run();
        return key.map(k -> compile(k, null)).orElse(null);
    }

    private Entry compile(ApiKey key, Entry previous) {
        return new Entry(key, environment, roles.current(), tiers, limiters, previous);
    }

    /** An entry compiled before the roles changed, compiled with them (once per key and change); null when it cannot be. */
    Entry recompile(Entry e) {
        try {
            Entry fresh = cache.asMap().computeIfPresent(DigestKey.of(e.key.digest()), (k, old) -> old.roles == roles.current() ? old : compile(old.key, old));
            return fresh != null ? fresh : compile(e.key, e);
        } catch (RuntimeException ex) {
            dropped(e.key.id(), ex);
            return null;
        }
    }

    /** See {@link Verifier#refresh(Digest)}. */
    void refresh(Digest digest) {
        DigestKey key = DigestKey.of(digest);
        unknown.invalidate(key);
        cache.asMap().computeIfPresent(key, (k, old) -> {
            try {
                return store.findByDigest(digest).map(found -> compile(found, old)).orElse(null);
            } catch (StoreException.Unavailable ex) {
                storeFailed.run();
                return null;
            } catch (RuntimeException ex) {
                dropped(old.key.id(), ex);
                return null;
            }
        });
    }

    /** See {@link Verifier#refresh(ApiKey)}. */
    void refresh(ApiKey after) {
        DigestKey key = DigestKey.of(after.digest());
        unknown.invalidate(key);
        cache.asMap().computeIfPresent(key, (k, old) -> {
            if (old.key.version() >= after.version()) return old;
            try {
                return compile(after, old);
            } catch (RuntimeException ex) {
                dropped(after.id(), ex);
                return null;
            }
        });
    }

    /**
     * One change of the store's feed. A change that cannot be applied (a broken row or digest) is logged and passed,
     * so that it never stalls the changes after it; every cached entry is dropped then, as nobody can tell which it was.
     *
     * @throws StoreException.Unavailable when the roles could not be read: the change is applied again by the next poll
     */
    void apply(KeyChange c) {
        try {
            if (roles.apply(c)) return;
            if (c.resetsAll()) {
                dropAll();
            } else {
                refresh(c.digest());
            }
        } catch (StoreException.Unavailable e) {
            throw e;
        } catch (RuntimeException e) {
            dropAll();
            LOG.log(System.Logger.Level.WARNING, "keys: change " + c.sequence() + " of " + c.keyId() + " could not be applied ("
                    + e.getClass().getName() + "); dropped every cached entry and went on with the feed");
        }
    }

    private void dropAll() {
        cache.invalidateAll();
        unknown.invalidateAll();
    }

    /** Not the hot path: a refresh that could not compile. The key id and the failure's type, never key material. */
    private static void dropped(String keyId, RuntimeException ex) {
        LOG.log(System.Logger.Level.WARNING, "keys: dropped the cached entry of " + keyId + ": its new state could not be applied ("
                + ex.getClass().getName() + ")");
    }
}
