package dev.keys.core;

import dev.keys.api.ApiKey;
import dev.keys.api.AuditSink;
import dev.keys.api.Background;
import dev.keys.api.Clock;
import dev.keys.api.KeyStore;
import dev.keys.api.UsageCounters;
import dev.keys.core.authz.RoleCatalog;
import dev.keys.core.authz.Roles;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.store.InMemoryUsageCounters;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.QuotaEnforcer;
import dev.keys.core.limit.Tiers;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.ops.AlertingUsageSink;
import dev.keys.core.lifecycle.RoleManager;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.verify.Verifier;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link KeyManager} and a {@link Verifier} wired to one store, hasher and clock, so that every change made
 * through the manager holds from the verifier's next request. The usual entry point:
 * <pre>{@code
 * Keys keys = Keys.builder().store(new InMemoryKeyStore()).build();
 * IssuedKey issued = keys.manager().create(NewKey.builder("sk_live").ownerId("acme").build(), KeyManager.SYSTEM);
 * Verification v = keys.verifier().verify(issued.plaintext());
 * }</pre>
 *
 * <p>Background work. All periodic work of one {@code Keys} runs on one {@link #scheduler()}: the verifier's
 * change-feed poll, and the work of every component it is given that implements {@link Background} (store, audit
 * sink, usage counters, and the verifier's usage sink), each started there when the {@code Keys} is built. By
 * default that is one daemon thread, {@value #THREAD_NAME}, which {@link #close()} stops; a scheduler handed in
 * with {@link Builder#scheduler} is used as it is and never shut down here.
 *
 * <p>Alerts. When the verifier's usage sink is an {@link AlertingUsageSink}, the manager also tells it of every
 * key it writes ({@link AlertingUsageSink#keyWritten}), so that a key created or changed to expire within an
 * expiring rule's window raises its alert at once; a sink wrapped in another one is wired with
 * {@link Builder#onKeyWritten}.
 */
public final class Keys implements AutoCloseable {
    /** The name of the default scheduler's thread. */
    public static final String THREAD_NAME = "keys-background";
    private static final System.Logger LOG = System.getLogger(Keys.class.getName());

    private final KeyStore store;
    private final Verifier verifier;
    private final KeyManager manager;
    private final QuotaEnforcer quotas;
    private final RoleCatalog roles;
    private final RoleManager roleManager;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;

    private Keys(Builder b) {
        this.store = b.store;
        this.roles = RoleCatalog.of(b.roles, b.store);
        this.clock = b.clock;
        this.ownsScheduler = b.scheduler == null;
        // The thread itself starts with the first task, so a Keys without background work has none.
        this.scheduler = ownsScheduler ? Background.daemonScheduler(THREAD_NAME) : b.scheduler;
        this.quotas = QuotaEnforcer.builder(b.counters).tiers(b.tiers).zone(b.zone).build();
        Verifier.Builder vb = Verifier.builder(b.store).hasher(b.hasher).clock(b.clock).roles(roles).tiers(b.tiers).quotas(quotas)
                .scheduler(scheduler);
        if (b.limiters != null) vb.limiters(b.limiters);
        b.verifierConfig.accept(vb);
        this.verifier = vb.build();
        // The verifier first, so that the change holds from its next request; then whoever asked. An alerting usage
        // sink the verifier reports to directly hears of every key written too, for the expiring rule's alert at once.
        List<Consumer<ApiKey>> listeners = new ArrayList<>(b.writeListeners);
        if (verifier.usageSink() instanceof AlertingUsageSink alerts) listeners.add(0, alerts::keyWritten);
        Consumer<ApiKey> written = listeners.isEmpty() ? verifier::refresh : k -> {
            verifier.refresh(k);
            for (Consumer<ApiKey> l : listeners) tell(l, k);
        };
        this.manager = KeyManager.builder(b.store).hasher(b.hasher).clock(b.clock).audit(b.audit).usageCounters(b.counters)
                .onWrite(written).onErase(verifier::refresh).onSha256Import(verifier::sha256ImportsExist).policy(AdminPolicy.of(roles)).build();
        this.roleManager = new RoleManager(roles, b.audit, b.clock, manager.policy());
        for (Object c : List.of(b.store, b.audit, b.counters)) {
            if (c instanceof Background bg) bg.start(scheduler);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A listener's failure is logged and passed: the write is committed, and the next listener is told too. */
    private static void tell(Consumer<ApiKey> listener, ApiKey key) {
        try {
            listener.accept(key);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "keys: a key-written listener failed after a write of " + key.id() + " ("
                    + e.getClass().getName() + "); the change is committed");
        }
    }

    public KeyStore store() {
        return store;
    }

    public Verifier verifier() {
        return verifier;
    }

    public KeyManager manager() {
        return manager;
    }

    /** The roles keys may hold now, runtime ones included: admin checks must flatten with the same ones as the verifier. */
    public Roles roles() {
        return roles.current();
    }

    /**
     * The roles of code or the policy file and, when the store keeps roles ({@code KeyStore.roles()}), those defined
     * at run time: the verifier's and the manager's, shared.
     */
    public RoleCatalog roleCatalog() {
        return roles;
    }

    /** Roles at run time ({@code PUT /roles/{name}}), audited to this {@code Keys}' audit sink. */
    public RoleManager roleManager() {
        return roleManager;
    }

    public Clock clock() {
        return clock;
    }

    /** Quotas and remaining uses, for display (e.g. the remaining uses of a key). */
    public QuotaEnforcer quotas() {
        return quotas;
    }

    /**
     * The scheduler all background work of this {@code Keys} runs on: hand it to what is built after it, as in
     * {@code Sweeper.builder(...).build().start(keys.scheduler())}. Not to be shut down by the caller unless the
     * caller handed it in.
     */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Stops the verifier's poll and, when this {@code Keys} made its scheduler, shuts that down, waiting up to 10 s
     * for a task already running to end: afterwards no background work of this {@code Keys} runs. Components keep
     * their own {@code close()} (a usage log's writes what is left from the calling thread).
     */
    @Override
    public void close() {
        verifier.close();
        if (!ownsScheduler) return;
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a background task did not end within 10 s of close; interrupting it");
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    public static final class Builder {
        private KeyStore store = new InMemoryKeyStore();
        private KeyHasher hasher = KeyHasher.sha256();
        private Clock clock = Clock.system();
        private AuditSink audit = AuditSink.NONE;
        private Consumer<Verifier.Builder> verifierConfig = v -> { };
        private UsageCounters counters = new InMemoryUsageCounters();
        private Roles roles = Roles.EMPTY;
        private Tiers tiers = Tiers.NONE;
        private ZoneId zone = ZoneOffset.UTC;
        private ScheduledExecutorService scheduler;
        private LimiterFactory limiters;
        private final List<Consumer<ApiKey>> writeListeners = new ArrayList<>();

        private Builder() {
        }

        /** Default: a new {@link InMemoryKeyStore}. */
        public Builder store(KeyStore s) { store = Objects.requireNonNull(s); return this; }
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }
        public Builder audit(AuditSink a) { audit = Objects.requireNonNull(a); return this; }
        /** Where quotas and remaining uses are counted; share one across instances (e.g. JDBC). Default in memory. */
        public Builder usageCounters(UsageCounters c) { counters = Objects.requireNonNull(c); return this; }
        public Builder roles(Roles r) { roles = Objects.requireNonNull(r); return this; }
        public Builder tiers(Tiers t) { tiers = Objects.requireNonNull(t); return this; }
        /** The zone quota periods (day, week, month) follow. Default UTC. */
        public Builder quotaZone(ZoneId z) { zone = Objects.requireNonNull(z); return this; }
        /** Where rate-limit buckets live (e.g. keys-redis's {@code RedisLimits}). Default: in this process. */
        public Builder limiters(LimiterFactory f) { limiters = Objects.requireNonNull(f); return this; }
        /**
         * Told, in the order added and after the verifier, the state of every key the {@code manager()} writes (as the
         * store answered the write). For what must hear of writes and cannot be found by {@code Keys} itself, such as
         * an {@link AlertingUsageSink} wrapped in another usage sink: {@code .onKeyWritten(alerts::keyWritten)}.
         * Listeners run on the writing thread and must be quick; one that throws is logged and passed.
         */
        public Builder onKeyWritten(Consumer<ApiKey> listener) { writeListeners.add(Objects.requireNonNull(listener)); return this; }
        /** Further verifier settings (cache sizes, stale bound, environment, ...). */
        public Builder verifier(Consumer<Verifier.Builder> config) { verifierConfig = Objects.requireNonNull(config); return this; }
        /**
         * Where all background work runs (see {@link Keys}); used as it is, never shut down by {@code Keys}. Default:
         * one daemon thread {@value Keys#THREAD_NAME}, owned and stopped by {@link Keys#close()}.
         */
        public Builder scheduler(ScheduledExecutorService s) { scheduler = Objects.requireNonNull(s); return this; }

        public Keys build() {
            return new Keys(this);
        }
    }
}
