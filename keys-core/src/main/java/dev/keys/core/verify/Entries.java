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
 *
 * <p>A peppered verifier also keeps {@link #aliases}: the plain SHA-256 of each key it found, mapped to the key's
 * stored digest, so that the next verification of the key costs one SHA-256 instead of an HMAC (four compression
 * blocks against one). An alias names a digest, never an entry: it is what the key hashes to under the pepper, true
 * for as long as the verifier lives, so it needs no invalidation; every answer still comes from {@link #cache}, which
 * alone follows changes. Aliases are learnt only for keys the store holds (never for unknown credentials, so a flood
 * of random keys cannot fill them) and live in memory only, beside the pepper that made the digests.
 */
final class Entries {
    private static final System.Logger LOG = System.getLogger(Verifier.class.getName());

    final Cache<DigestKey, Entry> cache;
    final Cache<DigestKey, Boolean> unknown;
    /** Plain SHA-256 of a key to its stored digest; null unless keys are hashed with a pepper. */
    final Cache<DigestKey, DigestKey> aliases;
    private final KeyStore store;
    private final Optional<Environment> environment;
    private final RoleCatalog roles;
    private final Tiers tiers;
    private final LimiterFactory limiters;
    /** Told when the store failed to answer, and when it answered a load. */
    private final Runnable storeFailed, storeAnswered;

    Entries(KeyStore store, long size, long unknownSize, Duration unknownTtl, boolean peppered, Optional<Environment> environment,
            RoleCatalog roles, Tiers tiers, LimiterFactory limiters, Runnable storeFailed, Runnable storeAnswered) {
        // Maintenance (draining read buffers, evicting) runs on the calling thread, amortised: on a small machine a
        // pool thread doing it competes with the request threads for the same cores.
        this.cache = Caffeine.newBuilder().maximumSize(size).executor(Runnable::run).recordStats().build();
        this.unknown = Caffeine.newBuilder().maximumSize(unknownSize).expireAfterWrite(unknownTtl).executor(Runnable::run).build();
        this.aliases = peppered ? Caffeine.newBuilder().maximumSize(size).executor(Runnable::run).<DigestKey, DigestKey>build() : null;
        this.store = store;
        this.environment = environment;
        this.roles = roles;
        this.tiers = tiers;
        this.limiters = limiters;
        this.storeFailed = storeFailed;
        this.storeAnswered = storeAnswered;
    }

    /**
     * A digest not cached: loaded into the cache, or remembered as unknown (null). With {@code plain} (the key's plain
     * SHA-256, peppered verifiers only) a key found is also learnt, its alias naming the cache's own key object.
     */
    Entry load(DigestKey probe, DigestKey plain) {
        DigestKey key = probe.copy();
        Entry e = cache.get(key, this::read);
        if (e == null) unknown.put(key, Boolean.TRUE);
        else if (plain != null) aliases.put(plain.copy(), key);
        return e;
    }

    /** A key found in the cache by its stored digest {@code probe} without an alias yet (both probes: copied). */
    void learn(DigestKey plain, DigestKey probe) {
        aliases.put(plain.copy(), probe.copy());
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
