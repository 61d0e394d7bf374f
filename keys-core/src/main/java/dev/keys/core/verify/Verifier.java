package dev.keys.core.verify;

import com.github.benmanes.caffeine.cache.Cache;
import dev.keys.api.ApiKey;
import dev.keys.api.Background;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.Environment;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyStore;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimitReport;
import dev.keys.api.RequestContext;
import dev.keys.api.StoreException;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageSink;
import dev.keys.api.Verification;
import dev.keys.core.authz.Decision;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.RoleCatalog;
import dev.keys.core.authz.Roles;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.store.InMemoryUsageCounters;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.QuotaEnforcer;
import dev.keys.core.limit.QuotaResult;
import dev.keys.core.limit.Tiers;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The hot path: from a credential to a {@link Verification}, in the steps and at the cost docs/contract.md §1 and §6 set.
 *
 * <p>Design. A verification is the format check ({@link KeyCheck}: the bytes copied into a per-thread buffer, the
 * intrinsic CRC32 checksum, then the characters' classes, which a wrong checksum never reaches), one hash of those
 * bytes into the thread's reusable {@link DigestKey} probe ({@link KeyHasher#newMessageDigest}), one clock read, one Caffeine lookup
 * by that probe, and field comparisons against an {@link Entry} compiled when the key was loaded. All per-thread
 * state sits in one thread-local, and none of it is public. Malformed input stops at the first step. With a pepper
 * the first verification of a key costs its HMAC too; later ones find it by its plain SHA-256 ({@link Entries}).
 * Every answer that does not depend on the request is preallocated in the entry or as a constant here, so that an
 * admitted request allocates nothing (a {@link Digest} is made only to ask the store). Expected outcomes are values, never exceptions; nothing here
 * logs.
 *
 * <p>Consistency ({@link Entries}). Entries never expire by time: a background task polls the store's change feed
 * ({@code syncInterval}, default 200 ms) and recompiles or drops each changed entry, so that a change made by
 * another instance takes effect within one interval plus the poll's own time, and a change made through a
 * {@code KeyManager} of this process takes effect on the next request. Unknown digests go into a bounded negative
 * cache (dropped on any change to that digest) so that floods of random well-formed keys do not reach the store.
 *
 * <p>Failure. When a load or a poll fails, the store is marked down; until a call succeeds again, cached entries
 * serve only within {@code staleBound} (default zero: fail closed) and everything else answers
 * {@code STORE_UNAVAILABLE}. A revoked key cannot come back from the cache: a change only ever replaces an entry
 * with the store's newer state, and the cache is never filled from anything older than the change feed has seen.
 */
public final class Verifier implements CredentialVerifier, AutoCloseable {
    private static final Verification.Denied MISSING = new Verification.Denied(Outcome.MISSING, "no credential was sent");
    private static final Verification.Denied MALFORMED = new Verification.Denied(Outcome.MALFORMED, "the credential is not a well-formed key");
    private static final Verification.Denied NOT_FOUND = new Verification.Denied(Outcome.NOT_FOUND, "the key is not known");
    private static final Verification.Denied UNAVAILABLE = new Verification.Denied(Outcome.STORE_UNAVAILABLE, "the key store is unavailable");

    private final KeyStore store;
    private final Clock clock;
    private static final System.Logger LOG = System.getLogger(Verifier.class.getName());

    private final Entries entries;
    /** The entries' caches, read by the hot path without going through {@link #entries}. */
    private final Cache<DigestKey, Entry> cache;
    private final Cache<DigestKey, Boolean> unknown;
    /** Peppered only ({@link Entries#aliases}): a key verified before is found by its plain SHA-256, sparing the HMAC. */
    private final Cache<DigestKey, DigestKey> aliases;
    private final boolean acceptImported;
    /** Whether keys are hashed with a pepper, so that keys imported as SHA-256 hashes need a second lookup. */
    private final boolean peppered;
    private volatile boolean sha256Imports;
    private final long staleBoundNanos;
    private final UsageSink usage;
    private final RoleCatalog roles;
    private final QuotaEnforcer quotas;
    /** Where the poll and the usage sink's work run; null when there is none. */
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    /** The change-feed poll; null when {@code syncInterval} is zero. */
    private final ScheduledFuture<?> poller;
    private final ThreadLocal<Local> locals;
    /** Sequence of the last change applied from the store's feed. Written only by {@link #sync()}. */
    private volatile long appliedSequence;
    /** Clock nanos at which the store was first seen failing, 0 while it answers. */
    private volatile long downSince;

    private Verifier(Builder b) {
        this.store = b.store;
        this.locals = ThreadLocal.withInitial(() -> new Local(b.hasher));
        this.clock = b.clock;
        this.acceptImported = b.acceptImported;
        this.peppered = !b.hasher.algorithm().equals(KeyHasher.sha256().algorithm());
        this.sha256Imports = peppered && b.sha256Imports;
        this.staleBoundNanos = b.staleBound.toNanos();
        this.usage = b.usage;
        this.roles = b.catalog != null ? b.catalog : RoleCatalog.of(b.roles, b.store);
        this.quotas = b.quotas != null ? b.quotas : QuotaEnforcer.builder(new InMemoryUsageCounters()).tiers(b.tiers).build();
        this.entries = new Entries(store, b.cacheSize, b.negativeCacheSize, b.negativeTtl, peppered, b.environment, roles, b.tiers,
                b.limiters, this::markDown, this::loadAnswered);
        this.cache = entries.cache;
        this.unknown = entries.unknown;
        this.aliases = entries.aliases;
        long seq = 0;
        try {
            seq = store.lastSequence();
            roles.refresh(); // after the sequence, so that a role change since is in the feed; sync() retries a failure
        } catch (StoreException.Unavailable e) {
            markDown();
        }
        this.appliedSequence = seq;
        // Standalone (no scheduler handed in), a verifier that has background work runs it on a thread of its own.
        this.ownsScheduler = b.scheduler == null && (!b.syncInterval.isZero() || usage instanceof Background || b.limiters instanceof Background);
        this.scheduler = ownsScheduler ? Background.daemonScheduler("keys-verifier-sync") : b.scheduler;
        if (b.syncInterval.isZero()) {
            this.poller = null;
        } else {
            long ms = Math.max(1, b.syncInterval.toMillis());
            this.poller = scheduler.scheduleWithFixedDelay(this::syncQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
        if (usage instanceof Background bg) bg.start(scheduler);
        if (b.limiters instanceof Background bg) bg.start(scheduler); // keys-redis's probe
    }

    public static Builder builder(KeyStore store) {
        return new Builder(store);
    }

    /** Verifies a credential with no request context: authentication and key state only. */
    @Override
    public Verification verify(CharSequence credential) {
        return verify(credential, RequestContext.NONE);
    }

    /** Verifies a credential for a request, with no permission or route requirement. */
    @Override
    public Verification verify(CharSequence credential, RequestContext ctx) {
        return verify(credential, ctx, Requirement.NONE);
    }

    /**
     * Verifies a credential for a request that must meet {@code requirement} (a permission query and conditions,
     * usually from the route the request matched). {@code null} or empty means no credential was sent.
     */
    @Override
    public Verification verify(CharSequence credential, RequestContext ctx, Requirement requirement) {
        if (credential == null || credential.length() == 0) return MISSING;
        Local local = locals.get();
        if (KeyCheck.check(credential, local, acceptImported) == KeyCheck.Shape.MALFORMED) return MALFORMED;
        DigestKey probe = aliases != null ? peppered(local, credential.length()) : local.hash(credential.length());
        long now = clock.nanos();
        Entry e = cache.getIfPresent(probe);
        if (e == null) {
            try {
                DigestKey learn = aliases != null && probe == local.probe ? local.plain : null; // found by its HMAC, not by an alias
                e = unknown.getIfPresent(probe) != null ? null : entries.load(probe, learn);
                if (e == null && sha256Imports) e = bySha256(local, now);
            } catch (StoreException.Unavailable ex) {
                markDown();
                return UNAVAILABLE;
            } catch (RuntimeException ex) {
                // A row that cannot be read or compiled: fail closed, remember nothing, so that a fixed row serves.
                return UNAVAILABLE;
            }
            if (e == null) return NOT_FOUND;
        } else if (downSince != 0 && now - downSince >= staleBoundNanos) {
            return UNAVAILABLE;
        } else if (aliases != null && probe == local.probe) {
            entries.learn(local.plain, probe); // cached, but its alias was evicted (or another thread loaded it first)
        }
        if (e.roles != roles.current() && (e = entries.recompile(e)) == null) return UNAVAILABLE;
        Verification v;
        try {
            v = decide(e, ctx, requirement, now, local);
        } catch (StoreException.Unavailable ex) {
            markDown();
            return UNAVAILABLE;
        }
        if (usage != UsageSink.NONE) {
            usage.record(new UsageEvent(e.key.id(), e.key.tenant(), v.outcome(), now, local.spent));
            local.spent = Optional.empty();
        }
        return v;
    }

    private Verification decide(Entry e, RequestContext ctx, Requirement requirement, long now, Local local) {
        if (e.statusDenial != null) return e.statusDenial;
        if (now >= e.expiresAtNanos) return e.expired();
        if (e.wrongEnvironment != null) return e.wrongEnvironment;
        Decision d = e.authz.check(ctx, now, requirement);
        if (d != Decision.ALLOW) return new Verification.Denied(d.outcome(), d.reason(), e.key);
        // Step 6: only requests that passed steps 1-5 reach the limits, so 401 and 403 never consume.
        LimitResult r = e.limiter.tryConsume(ctx.cost(), now);
        if (!r.admitted()) {
            if (r.unavailable()) return new Verification.Denied(Outcome.STORE_UNAVAILABLE, r.detail(), Optional.of(e.key), RateLimitReport.NONE);
            return new Verification.Denied(Outcome.RATE_LIMITED, r.detail(), Optional.of(e.key), r);
        }
        if (e.quota != null) {
            QuotaResult q = quotas.check(e.key, e.quota, ctx.cost(), now);
            if (!q.admitted()) return new Verification.Denied(Outcome.USAGE_EXCEEDED, q.detail(), Optional.of(e.key), new QuotaReport(r, q));
            if (usage != UsageSink.NONE) local.spent = q.spent(); // the counters after it, for the usage event
            // docs/contract.md §5: a key with a quota and no rate limit carries the RateLimit fields on passes too.
            if (r == LimitResult.UNLIMITED && q.quota().isPresent()) return new Verification.Valid(e.key, new QuotaReport(r, q));
        }
        return r == LimitResult.UNLIMITED ? e.valid() : new Verification.Valid(e.key, r);
    }

    /**
     * The stored digest of a credential under a pepper: found from its plain SHA-256 when this verifier has seen the
     * key before ({@link Entries#aliases}), else the HMAC, in the thread's probe. Either way the plain SHA-256 is left
     * in {@code local.plain}, for learning the alias and for {@link #bySha256}.
     */
    private DigestKey peppered(Local local, int len) {
        DigestKey stored = aliases.getIfPresent(local.sha256(len));
        return stored != null ? stored : local.hash(len);
    }

    /**
     * The second lookup of a credential the service's digest did not find: by plain SHA-256 (already in
     * {@code local.plain}, see {@link #peppered}), the digest of keys imported as hashes from another system where
     * this service hashes with a pepper. It costs a miss one more cache probe (and, the first time, a store read),
     * and runs only once such keys exist.
     */
    private Entry bySha256(Local local, long now) {
        DigestKey probe = local.plain;
        Entry e = cache.getIfPresent(probe);
        if (e != null) return downSince != 0 && now - downSince >= staleBoundNanos ? null : e;
        return unknown.getIfPresent(probe) != null ? null : entries.load(probe, null);
    }

    /**
     * Turns on the second lookup by plain SHA-256 (see {@code Builder.acceptSha256Imports}); a {@code KeyManager}
     * of the same {@code Keys} calls it when it imports a hashed key. Without a pepper it is never needed.
     */
    public void sha256ImportsExist() {
        if (peppered) sha256Imports = true;
    }

    /**
     * Applies a change to one digest now: recompiles its cached entry from the store, or drops it (and any
     * negative entry). Called by a {@code KeyManager} of this process after each write, and by {@link #sync()}.
     * When the new state cannot be read or compiled, for whatever reason, the entry is dropped (fail closed: the old
     * state never keeps serving) and the next request loads the key again; never throws.
     */
    public void refresh(Digest digest) {
        entries.refresh(digest);
    }

    /**
     * Applies a write this process just made, given the state the store answered it with, without reading the
     * store again. An entry compiled from a later version (a concurrent write that got here first) is kept, so that
     * a late call never brings an older state back. A state that cannot be compiled drops the entry; never throws.
     */
    public void refresh(ApiKey after) {
        entries.refresh(after);
    }

    /**
     * Polls the store's change feed once and applies what changed since the last poll. Runs on the verifier's
     * scheduler every {@code syncInterval}; public for tests and for callers that turn the poller off.
     *
     * @throws StoreException.Unavailable when the store cannot answer
     */
    public synchronized void sync() {
        try {
            if (!roles.loaded()) roles.refresh();
            while (true) {
                List<KeyChange> changes = store.changesSince(appliedSequence, 1000);
                if (changes.isEmpty()) break;
                for (KeyChange c : changes) {
                    entries.apply(c);
                    appliedSequence = c.sequence();
                }
            }
            downSince = 0;
        } catch (StoreException.Unavailable e) {
            markDown();
            throw e;
        }
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (StoreException.Unavailable e) {
            // already reflected in downSince; the next poll retries
        } catch (RuntimeException e) {
            // A feed that cannot be read is an outage too (fail closed), worth a line when it starts; the next poll retries.
            boolean first = downSince == 0;
            markDown();
            if (first) LOG.log(System.Logger.Level.WARNING, "keys: the change-feed poll failed after sequence " + appliedSequence + " ("
                    + e.getClass().getName() + "); retrying");
        }
    }

    /** With a poller, only a successful poll proves that no change was missed while the store was down. */
    private void loadAnswered() {
        if (poller == null) downSince = 0;
    }

    private void markDown() {
        if (downSince == 0) downSince = Math.max(1, clock.nanos());
    }

    /** True while the last store call failed. */
    public boolean storeDown() {
        return downSince != 0;
    }

    /** For tests of this package. */
    Entries entries() {
        return entries;
    }

    /** Number of cached key entries (for metrics). */
    public long cachedKeys() {
        return cache.estimatedSize();
    }

    /** The usage sink the verifier reports to ({@code Keys} tells an alerting one about key writes too). */
    public UsageSink usageSink() { return usage; }

    /** Fraction of lookups answered from the key cache. */
    public double hitRatio() {
        return cache.stats().hitRate();
    }

    /** Stops the poll; shuts the scheduler down only when the verifier made it (built without {@code scheduler}). */
    @Override
    public void close() {
        if (poller != null) poller.cancel(false);
        if (ownsScheduler) scheduler.shutdownNow();
    }

    /** Configuration of a {@link Verifier}. */
    public static final class Builder {
        private final KeyStore store;
        private KeyHasher hasher = KeyHasher.sha256();
        private Clock clock = Clock.system();
        private long cacheSize = 1_000_000, negativeCacheSize = 100_000;
        private Duration negativeTtl = Duration.ofSeconds(30), syncInterval = Duration.ofMillis(200), staleBound = Duration.ZERO;
        private boolean acceptImported, sha256Imports;
        private Optional<Environment> environment = Optional.empty();
        private UsageSink usage = UsageSink.NONE;
        private Roles roles = Roles.EMPTY;
        private RoleCatalog catalog;
        private Tiers tiers = Tiers.NONE;
        private LimiterFactory limiters;
        private QuotaEnforcer quotas;
        private ScheduledExecutorService scheduler;

        private Builder(KeyStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** How keys are hashed; must match the {@code KeyManager} that issued them. Default SHA-256. */
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        /** Most keys kept compiled in memory. Default 1,000,000. */
        public Builder cacheSize(long n) { cacheSize = positive(n, "cacheSize"); return this; }

        /** Most unknown digests remembered, and for how long. Default 100,000 for 30 s. */
        public Builder negativeCache(long size, Duration ttl) { negativeCacheSize = positive(size, "negative cache size"); negativeTtl = positive(ttl, "negative cache ttl"); return this; }

        /** How often the store's change feed is polled; zero turns the poller off. Default 200 ms. */
        public Builder syncInterval(Duration d) { syncInterval = notNegative(d, "syncInterval"); return this; }

        /** How long cached entries may serve after the store was seen failing. Default zero: fail closed, {@code STORE_UNAVAILABLE} until it answers. */
        public Builder staleBound(Duration d) { staleBound = notNegative(d, "staleBound"); return this; }

        /** Also look up credentials that are not of the key format (imported keys). Default off. */
        public Builder acceptImportedKeys(boolean on) { acceptImported = on; return this; }

        /**
         * Keys were imported as SHA-256 hashes ({@code KeyManager.importSha256}) and this service hashes with a pepper: a credential its digest does not
         * find is looked up again by plain SHA-256 (one more cache probe per miss: the SHA-256 is made anyway). Set it on every instance once such keys exist; a
         * {@code KeyManager} of the same {@code Keys} turns it on in its own process at its first hashed import. Without a pepper it changes nothing. Default off.
         */
        public Builder acceptSha256Imports(boolean on) { sha256Imports = on; return this; }

        /** Accept only keys of this environment; others answer {@code FORBIDDEN}. Default: both. */
        public Builder environment(Environment e) { environment = Optional.of(e); return this; }
        /** Receives one event per verification of a known key; must only enqueue. */
        public Builder usageSink(UsageSink s) { usage = Objects.requireNonNull(s); return this; }

        /** The roles of code or a policy file keys may hold, and those the store keeps ({@code KeyStore.roles()}). Default none. */
        public Builder roles(Roles r) { roles = Objects.requireNonNull(r); catalog = null; return this; }
        /** As {@link #roles(Roles)}, sharing a catalog (a {@code Keys} hands in its own). */
        public Builder roles(RoleCatalog c) { catalog = Objects.requireNonNull(c); return this; }

        /** Tier defaults for keys that name a tier and set no limits of their own. Default none. */
        public Builder tiers(Tiers t) { tiers = Objects.requireNonNull(t); return this; }

        /** Where rate-limit buckets live. Default {@link LimiterFactory#inProcess()}; keys-redis shares them across instances. */
        public Builder limiters(LimiterFactory f) { limiters = Objects.requireNonNull(f); return this; }

        /** Where quotas and remaining uses are counted (one {@code UsageCounters} shared by all instances counts exactly), with the same tiers. Default in memory, UTC. */
        public Builder quotas(QuotaEnforcer q) { quotas = Objects.requireNonNull(q); return this; }

        /**
         * Where the change-feed poll runs, and the usage sink's and limiter factory's work when they are {@link Background} (started there when the
         * verifier is built); never shut down by the verifier. A {@code Keys} hands in its own. Default: a daemon thread of the verifier's, made only when there is such work and stopped by {@code close()}.
         */
        public Builder scheduler(ScheduledExecutorService s) { scheduler = Objects.requireNonNull(s); return this; }

        public Verifier build() {
            if (limiters == null) limiters = LimiterFactory.inProcess();
            return new Verifier(this);
        }

        private static long positive(long n, String what) {
            if (n <= 0) throw new IllegalArgumentException(what + " must be positive");
            return n;
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive");
            return d;
        }

        private static Duration notNegative(Duration d, String what) {
            if (d.isNegative()) throw new IllegalArgumentException(what + " must not be negative");
            return d;
        }
    }
}
