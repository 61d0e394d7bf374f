package dev.keys.core.ops;

import dev.keys.api.ApiKey;
import dev.keys.api.Background;
import dev.keys.api.Clock;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.KeyStore;
import dev.keys.api.LastUseSource;
import dev.keys.api.Lease;
import dev.keys.api.Page;
import dev.keys.api.StoreException;
import dev.keys.core.lifecycle.KeyManager;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Periodic housekeeping of keys, through the {@link KeyManager} so that every change is audited (actor
 * {@value KeyManager#SYSTEM}) and reaches the verifiers like an admin's:
 * <ul>
 * <li>Archive: a key past {@code expiresAt} by more than the retention period is revoked with reason
 * {@value #EXPIRED_RETENTION}. The {@code KeyStore} SPI has no delete, and an audited revoke keeps the key's
 * history readable while making sure it can never come back; deleting rows is left to the database's owner.</li>
 * <li>Disable unused: an active key whose last use (from a {@link LastUseSource}; its creation when never used)
 * is older than the idle period is disabled with a reason naming that period. {@code enable} brings it back.</li>
 * </ul>
 * Several instances sharing a database coordinate with a {@link Lease}: a round runs only on the instance that
 * holds it; the holder renews it every round (so the same instance keeps running the rounds) and releases it on
 * {@link #close()}; when the holder dies, another takes over once the lease has expired ({@code leaseTtl}, default
 * twice the interval). {@link #runOnce()} runs one round now (for tests with a {@code ManualClock}, or an external
 * scheduler); {@link #start(ScheduledExecutorService)} schedules rounds on a scheduler, usually
 * {@code keys.scheduler()}; {@link #start()} on a daemon thread of the sweeper's own.
 */
public final class Sweeper implements Background, AutoCloseable {
    public static final String EXPIRED_RETENTION = "expired-retention";
    public static final String DEFAULT_LEASE = "keys-sweeper";
    private static final System.Logger LOG = System.getLogger(Sweeper.class.getName());

    private final KeyManager manager;
    private final KeyStore store;
    private final Clock clock;
    private final Lease lease;
    private final String leaseName, owner;
    private final Duration interval, leaseTtl;
    private final Optional<Duration> retention, idle;
    private final LastUseSource lastUse;
    // Guarded by this.
    private ScheduledFuture<?> rounds;
    private ScheduledExecutorService own;
    private boolean closed;

    private Sweeper(Builder b) {
        this.manager = b.manager;
        this.store = b.store;
        this.clock = b.clock;
        this.lease = b.lease;
        this.leaseName = b.leaseName;
        this.owner = b.owner;
        this.interval = b.interval;
        this.leaseTtl = b.leaseTtl != null ? b.leaseTtl : b.interval.multipliedBy(2);
        this.retention = b.retention;
        this.idle = b.idle;
        this.lastUse = b.lastUse;
        if (retention.isEmpty() && idle.isEmpty()) throw new IllegalStateException("nothing to sweep: set archiveExpiredAfter and/or disableUnusedAfter");
    }

    /**
     * @param manager must write to {@code store} (a {@code Keys}' manager and store)
     * @param lease   {@code new InMemoryLease(clock)} for a single instance, a {@code JdbcLease} for several
     */
    public static Builder builder(KeyManager manager, KeyStore store, Lease lease) {
        return new Builder(manager, store, lease);
    }

    /** The owner name this sweeper takes the lease under. */
    public String owner() {
        return owner;
    }

    /** One round now, if this instance holds (or can take) the lease. */
    public synchronized SweepReport runOnce() {
        try {
            if (!lease.tryAcquire(leaseName, owner, leaseTtl)) return SweepReport.SKIPPED;
        } catch (StoreException.Unavailable e) {
            LOG.log(System.Logger.Level.WARNING, "sweep skipped: lease unavailable: {0}", e.getMessage());
            return SweepReport.SKIPPED;
        }
        Instant now = clock.instant();
        List<String> archived = new ArrayList<>(), disabled = new ArrayList<>(), failed = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<ApiKey> page = store.list(new KeyQuery(Optional.empty(), Optional.empty(), KeyQuery.MAX_LIMIT, cursor));
            List<ApiKey> candidates = new ArrayList<>();
            for (ApiKey k : page.items()) {
                if (k.status() == KeyStatus.REVOKED) continue;
                if (retention.isPresent() && k.expiresAt().isPresent() && !now.isBefore(k.expiresAt().get().plus(retention.get()))) {
                    change(k.id(), archived, failed, () -> manager.revoke(k.id(), KeyManager.SYSTEM, Optional.of(EXPIRED_RETENTION)));
                } else if (idle.isPresent() && k.status() == KeyStatus.ACTIVE && k.expiresAt().map(now::isBefore).orElse(true)) {
                    candidates.add(k);
                }
            }
            if (!candidates.isEmpty()) {
                Map<String, Instant> last = lastUse.lastUses(candidates.stream().map(ApiKey::id).toList());
                for (ApiKey k : candidates) {
                    Instant since = last.getOrDefault(k.id(), k.createdAt());
                    if (since.isBefore(k.createdAt())) since = k.createdAt();
                    if (Duration.between(since, now).compareTo(idle.get()) < 0) continue;
                    String reason = "unused since " + since + " (idle limit " + idle.get() + ")";
                    change(k.id(), disabled, failed, () -> manager.disable(k.id(), KeyManager.SYSTEM, Optional.of(reason)));
                }
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return new SweepReport(true, archived, disabled, failed);
    }

    private static void change(String id, List<String> done, List<String> failed, Runnable r) {
        try {
            r.run();
            done.add(id);
        } catch (RuntimeException e) {
            // A key changed under us (conflict, now revoked, ...) or the store failed: the next round looks again.
            failed.add(id);
            LOG.log(System.Logger.Level.WARNING, "sweep could not change key {0}: {1}", id, e.getMessage());
        }
    }

    /**
     * Runs a round every interval (first after one interval) on a daemon thread of its own ({@code keys-sweeper}),
     * until {@link #close()}. Ignored when already started.
     */
    public synchronized Sweeper start() {
        if (rounds == null && !closed) {
            own = Background.daemonScheduler("keys-sweeper");
            start(own);
        }
        return this;
    }

    /** Runs a round every interval (first after one interval) on {@code scheduler}, until {@link #close()}. */
    @Override
    public synchronized void start(ScheduledExecutorService scheduler) {
        if (rounds != null || closed) return;
        long ms = Math.max(1, interval.toMillis());
        rounds = scheduler.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "sweep failed: {0}", e.toString());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Stops the schedule and gives the lease up, so that another instance can take over at once. */
    @Override
    public void close() {
        ScheduledFuture<?> r;
        ScheduledExecutorService o;
        synchronized (this) {
            closed = true;
            r = rounds;
            o = own;
        }
        if (r != null) r.cancel(false);
        if (o != null) o.shutdownNow();
        try {
            lease.release(leaseName, owner);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "sweeper lease not released (it expires by itself): {0}", e.getMessage());
        }
    }

    /** Configuration of a {@link Sweeper}. */
    public static final class Builder {
        private final KeyManager manager;
        private final KeyStore store;
        private final Lease lease;
        private Clock clock = Clock.system();
        private String leaseName = DEFAULT_LEASE, owner = "sweeper-" + UUID.randomUUID();
        private Duration interval = Duration.ofHours(1), leaseTtl;
        private Optional<Duration> retention = Optional.empty(), idle = Optional.empty();
        private LastUseSource lastUse;

        private Builder(KeyManager manager, KeyStore store, Lease lease) {
            this.manager = Objects.requireNonNull(manager, "manager");
            this.store = Objects.requireNonNull(store, "store");
            this.lease = Objects.requireNonNull(lease, "lease");
        }

        /** Must be the manager's clock. Default the system clock. */
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        /** Revoke keys expired for longer than {@code retention} (zero: as soon as they expire). */
        public Builder archiveExpiredAfter(Duration retention) {
            if (retention.isNegative()) throw new IllegalArgumentException("retention must not be negative");
            this.retention = Optional.of(retention);
            return this;
        }

        /** Disable active keys not used for {@code idle}, their last use read from {@code source}. */
        public Builder disableUnusedAfter(Duration idle, LastUseSource source) {
            if (idle.isNegative() || idle.isZero()) throw new IllegalArgumentException("idle must be positive");
            this.idle = Optional.of(idle);
            this.lastUse = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Between rounds once started. Default one hour. */
        public Builder interval(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("interval must be positive");
            interval = d;
            return this;
        }

        /** How long a taken lease holds without renewal. Default twice the interval. */
        public Builder leaseTtl(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("leaseTtl must be positive");
            leaseTtl = d;
            return this;
        }

        /** Default {@value Sweeper#DEFAULT_LEASE}; sweepers of different key sets need different names. */
        public Builder leaseName(String n) { leaseName = Objects.requireNonNull(n); return this; }

        /** Who this instance is in the lease table. Default {@code sweeper-<random UUID>}. */
        public Builder owner(String o) { owner = Objects.requireNonNull(o); return this; }

        public Sweeper build() {
            return new Sweeper(this);
        }
    }
}
