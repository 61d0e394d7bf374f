package dev.keys.core.ops;

import dev.keys.api.ApiKey;
import dev.keys.api.Background;
import dev.keys.api.Clock;
import dev.keys.api.KeyStore;
import dev.keys.api.LastUseSource;
import dev.keys.api.Lease;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageSink;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link UsageSink} decorator (and {@link VerificationListener}) that evaluates {@link AlertRule}s and tells an
 * {@link AlertListener}.
 *
 * <p>Design. {@link #record} passes the event to the decorated sink and then only offers it to a bounded queue
 * (full: the event is dropped for alerting and counted in {@link #dropped()}; the decorated sink still saw it), so
 * the request thread never waits. Evaluation runs on the scheduler the sink is {@link #start started} on (a verifier
 * given it as usage sink does that, on its {@code Keys}' scheduler): when the queue receives an event and no drain
 * is pending, one drain task is submitted, which takes every queued event, keeps the per-window counts in plain
 * maps (under one lock, so that drains never overlap even on a pool), and calls the listener. No task runs while
 * nothing is queued. Counts are bounded ({@code maxTracked} subjects per rule; at the bound, ended windows are
 * dropped first, then new subjects go uncounted). The rules read from the key store (unused, expiring) are checked
 * every {@code checkInterval} on the same scheduler, or when {@link #checkKeys()} is called, on the one instance of
 * a fleet that holds the {@link Builder#lease lease} ({@link KeyChecks}). Starting the sink also starts, on the same scheduler,
 * its listener and its decorated sink when they are {@link Background} (a {@link WebhookAlertSink}, a usage log).
 *
 * <p>Inputs. Key rules ({@link AlertRule#rateLimited}, {@link AlertRule#keyOutcomes}) read the {@code UsageEvent}s
 * given to {@link #record}: wire this as the verifier's usage sink. Client rules
 * ({@link AlertRule#failedVerifications}, {@link AlertRule#newNetwork}) read the {@code VerificationEvent}s given to
 * {@link #onVerification}: wire this as an {@link ObservingVerifier}'s listener (or call it from the code that
 * verifies). Each rule reads one input only, so wiring both never counts an event twice. The early alerts on
 * remaining uses and quotas ({@link AlertRule#remainingBelow}, {@link AlertRule#quotaUsed}) read the counters carried
 * by the {@code UsageEvent}s ({@link SpendAlerts}); the expiring rule also reads the keys a {@code KeyManager} writes
 * ({@link #keyWritten}: a {@code Keys} whose verifier reports to this sink wires that itself).
 */
public final class AlertingUsageSink implements UsageSink, VerificationListener, Background, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AlertingUsageSink.class.getName());
    private static final int MAX_NETWORKS_PER_KEY = 256;
    /** The lease whose holder runs the periodic key checks of a fleet. */
    public static final String DEFAULT_LEASE = "keys-alerts";

    private final UsageSink delegate;
    private final Clock clock;
    private final List<AlertRule> rules;
    private final AlertListener listener;
    private final BlockingQueue<Object> queue;
    private final int maxTracked;
    private final KeyChecks keyChecks;
    private final long checkIntervalNanos;
    private final boolean keyRules, clientRules;
    private final LongAdder dropped = new LongAdder(), listenerFailures = new LongAdder();
    /** True from the submission of a drain until it starts taking events. */
    private final AtomicBoolean drainPending = new AtomicBoolean();
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean closed, warnedNotStarted;
    // Guarded by this (start and close only).
    private ScheduledFuture<?> keyCheck;

    // Touched only under synchronized (windows), by one drain at a time.
    private final List<Map<String, Window>> windows = new ArrayList<>();
    private final Map<String, Set<String>> networks;

    private static final class Window {
        long start, count;
        boolean fired;
        String tenant;
    }

    private AlertingUsageSink(Builder b) {
        this.delegate = b.delegate;
        this.clock = b.clock;
        this.rules = List.copyOf(b.rules);
        this.listener = b.listener;
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
        this.maxTracked = b.maxTracked;
        this.checkIntervalNanos = b.checkInterval.toNanos();
        Duration leaseTtl = b.checkInterval.isZero() ? Duration.ofHours(2) : b.checkInterval.multipliedBy(2);
        this.keyChecks = new KeyChecks(rules, b.store, b.lastUse, Optional.ofNullable(b.lease), leaseTtl, b.maxTracked, this::deliver);
        for (int i = 0; i < rules.size(); i++) windows.add(new HashMap<>());
        this.keyRules = rules.stream().anyMatch(r -> r.kind == AlertRule.Kind.KEY_OUTCOMES || r.kind.spend());
        this.clientRules = rules.stream().anyMatch(r -> r.kind == AlertRule.Kind.ADDRESS_FAILURES || r.kind == AlertRule.Kind.NEW_NETWORK);
        this.networks = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                return size() > maxTracked;
            }
        };
    }

    /** Alerts on the events passing to {@code delegate} ({@link UsageSink#NONE} when there is nothing to decorate). */
    public static Builder builder(UsageSink delegate) {
        return new Builder(delegate);
    }

    /**
     * Evaluates on {@code scheduler} from now on (events queued before are evaluated at once), and starts the
     * listener and the decorated sink there when they are {@link Background}. The first call only.
     */
    @Override
    public void start(ScheduledExecutorService scheduler) {
        synchronized (this) {
            if (this.scheduler != null || closed) return;
            this.scheduler = scheduler;
            if (checkIntervalNanos > 0 && keyChecks.any()) {
                long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(checkIntervalNanos));
                keyCheck = scheduler.scheduleWithFixedDelay(this::checkKeysQuietly, ms, ms, TimeUnit.MILLISECONDS);
            }
        }
        if (listener instanceof Background bg) bg.start(scheduler);
        if (delegate instanceof Background bg) bg.start(scheduler);
        if (!queue.isEmpty()) submitDrain();
    }

    @Override
    public void record(UsageEvent e) {
        delegate.record(e);
        if (keyRules && !closed) enqueue(e);
    }

    @Override
    public void onVerification(VerificationEvent e) {
        if (clientRules && !closed) enqueue(e);
    }

    /**
     * A key the {@code KeyManager} wrote (created, changed, rotated): when its expiry falls within an expiring
     * rule's window, the alert goes out now rather than at the next check. Only queued here, like the events.
     */
    public void keyWritten(ApiKey key) {
        if (keyChecks.expiring() && !closed) enqueue(key);
    }

    private void enqueue(Object o) {
        if (queue.offer(o)) {
            submitDrain();
            return;
        }
        dropped.increment();
        if (scheduler == null && !warnedNotStarted) {
            warnedNotStarted = true;
            LOG.log(System.Logger.Level.WARNING, "alert queue full and nothing evaluates it: start the sink, e.g. start(keys.scheduler())");
        }
    }

    /**
     * Makes sure a drain will run: submits one unless one is pending already.
     *
     * @return false when none can run: not started, or the scheduler refused the task (shut down)
     */
    private boolean submitDrain() {
        ScheduledExecutorService s = scheduler;
        if (s == null) return false;
        if (!drainPending.compareAndSet(false, true)) return true;
        try {
            s.execute(this::drain);
            return true;
        } catch (RejectedExecutionException e) {
            drainPending.set(false);
            return false;
        }
    }

    private void drain() {
        // Cleared before taking events: one offered from here on submits the next drain, so none is left behind.
        drainPending.set(false);
        evaluateQueued();
    }

    private void evaluateQueued() {
        synchronized (windows) {
            Object o;
            while ((o = queue.poll()) != null) {
                try {
                    if (o instanceof UsageEvent u) onUsage(u);
                    else if (o instanceof VerificationEvent v) onEvent(v);
                    else if (o instanceof ApiKey k) keyChecks.written(k, clock.instant());
                    else if (o instanceof CountDownLatch l) l.countDown();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "alert evaluation failed: {0}", e.toString());
                }
            }
        }
    }

    /** Events not evaluated because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** Listener calls that threw (the alert is then lost; the failure is logged). */
    public long listenerFailures() {
        return listenerFailures.sum();
    }

    /**
     * Waits until every event queued before this call has been evaluated and its alerts delivered to the listener.
     * When no scheduler can do it (not started, or its scheduler shut down), evaluates them on the calling thread.
     *
     * @return false when that did not happen within {@code timeout}
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        if (!submitDrain()) {
            evaluateQueued();
            return true;
        }
        CountDownLatch done = new CountDownLatch(1);
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!queue.offer(done, timeout.toNanos(), TimeUnit.NANOSECONDS)) return false;
        submitDrain();
        return done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onUsage(UsageEvent e) {
        for (int i = 0; i < rules.size(); i++) {
            AlertRule r = rules.get(i);
            if (r.kind == AlertRule.Kind.KEY_OUTCOMES && r.outcomes.contains(e.outcome())) {
                count(i, r, e.keyId(), e.tenant(), e.atNanos());
            } else if (r.kind.spend() && e.spent().isPresent()) {
                SpendAlerts.evaluate(r, e, e.spent().get()).ifPresent(this::deliver);
            }
        }
    }

    private void onEvent(VerificationEvent e) {
        if (e.clientAddress().isEmpty()) return;
        InetAddress address = e.clientAddress().get();
        for (int i = 0; i < rules.size(); i++) {
            AlertRule r = rules.get(i);
            if (r.kind == AlertRule.Kind.ADDRESS_FAILURES && r.outcomes.contains(e.outcome())) {
                count(i, r, address.getHostAddress(), e.tenant().orElse(null), e.atNanos());
            } else if (r.kind == AlertRule.Kind.NEW_NETWORK && e.keyId().isPresent()) {
                newNetwork(r, e, Networks.network(address, r.v4Bits, r.v6Bits));
            }
        }
    }

    private void count(int ruleIndex, AlertRule r, String subject, String tenant, long atNanos) {
        long size = r.window.toNanos();
        long start = Math.floorDiv(atNanos, size) * size;
        Map<String, Window> m = windows.get(ruleIndex);
        Window w = m.get(subject);
        if (w == null) {
            if (m.size() >= maxTracked) {
                m.values().removeIf(x -> x.start + size <= atNanos);
                if (m.size() >= maxTracked) return;
            }
            w = new Window();
            w.start = start;
            m.put(subject, w);
        } else if (start > w.start) {
            w.start = start;
            w.count = 0;
            w.fired = false;
            w.tenant = null;
        } else if (start < w.start) {
            return; // a late event of a window already left behind
        }
        w.count++;
        if (tenant != null && w.tenant == null) w.tenant = tenant;
        if (w.count > r.threshold && !w.fired) {
            w.fired = true;
            Instant from = instant(start), to = instant(start + size);
            boolean byKey = r.kind == AlertRule.Kind.KEY_OUTCOMES;
            String message = byKey
                    ? "key " + subject + " had more than " + r.threshold + " verifications with outcome " + r.outcomes + " in " + r.window
                    : "client " + subject + " had more than " + r.threshold + " failed verifications in " + r.window;
            deliver(new Alert(r.name, r.kind(), byKey ? Optional.of(subject) : Optional.empty(), Optional.ofNullable(w.tenant), Optional.empty(),
                    byKey ? Optional.empty() : Optional.of(subject), from, to, w.count, r.threshold, w.count, message));
        }
    }

    private void newNetwork(AlertRule r, VerificationEvent e, String network) {
        String keyId = e.keyId().get();
        Set<String> seen = networks.get(r.name + '\u0000' + keyId);
        if (seen == null) {
            seen = new LinkedHashSet<>();
            seen.add(network);
            networks.put(r.name + '\u0000' + keyId, seen);
            return;
        }
        if (!seen.add(network)) return;
        if (seen.size() > MAX_NETWORKS_PER_KEY) {
            Iterator<String> it = seen.iterator();
            it.next();
            it.remove();
        }
        Instant at = instant(e.atNanos());
        deliver(new Alert(r.name, r.kind(), e.keyId(), e.tenant(), Optional.empty(), Optional.of(network), at, at, 1, 0, 1,
                "key " + keyId + " was used from a new client network " + network));
    }

    /**
     * Runs the rules read from the key store (unused, expiring) now, on the calling thread, when this instance holds
     * the lease (or none is configured). Runs by itself every {@code checkInterval} as well. Only active keys are
     * checked.
     *
     * @return the alerts delivered by this call
     */
    public int checkKeys() {
        return keyChecks.round(clock.instant());
    }

    /** @deprecated since 0.2.0: {@link #checkKeys()}, which also runs the expiring rule */
    @Deprecated
    public int checkUnused() {
        return checkKeys();
    }

    private void checkKeysQuietly() {
        try {
            checkKeys();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "alert key check failed: {0}", e.toString());
        }
    }

    private void deliver(Alert a) {
        try {
            listener.onAlert(a);
        } catch (RuntimeException e) {
            listenerFailures.increment();
            LOG.log(System.Logger.Level.WARNING, "alert listener failed for rule {0}: {1}", a.rule(), e.toString());
        }
    }

    private static Instant instant(long nanos) {
        return SpendAlerts.instant(nanos);
    }

    /**
     * Stops the scheduled work and evaluates what is queued on the calling thread (after a drain already running).
     * Events recorded after are not evaluated. The listener and the decorated sink stay open: they are the caller's.
     */
    @Override
    public void close() {
        ScheduledFuture<?> check;
        synchronized (this) {
            if (closed) return;
            closed = true;
            check = keyCheck;
        }
        if (check != null) check.cancel(false);
        evaluateQueued();
        keyChecks.release();
    }

    /** Configuration of an {@link AlertingUsageSink}. */
    public static final class Builder {
        private final UsageSink delegate;
        private Clock clock = Clock.system();
        private final List<AlertRule> rules = new ArrayList<>();
        private AlertListener listener = new LogAlertSink();
        private int queueCapacity = 10_000, maxTracked = 100_000;
        private KeyStore store;
        private LastUseSource lastUse;
        private Lease lease;
        private Duration checkInterval = Duration.ofHours(1);

        private Builder(UsageSink delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /** For the unused rule ("now"); event times come from the events. Default the system clock. */
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        public Builder rule(AlertRule r) {
            Objects.requireNonNull(r, "rule");
            if (rules.stream().anyMatch(x -> x.name.equals(r.name))) throw new IllegalArgumentException("two rules are named " + r.name);
            rules.add(r);
            return this;
        }

        /** Default: a {@link LogAlertSink}. */
        public Builder listener(AlertListener l) { listener = Objects.requireNonNull(l); return this; }

        /** Events waiting for evaluation; more are dropped. Default 10,000. */
        public Builder queueCapacity(int n) {
            if (n < 1) throw new IllegalArgumentException("queueCapacity must be positive");
            queueCapacity = n;
            return this;
        }

        /** Most subjects (keys or addresses) counted per rule, and keys whose networks are remembered. Default 100,000. */
        public Builder maxTracked(int n) {
            if (n < 1) throw new IllegalArgumentException("maxTracked must be positive");
            maxTracked = n;
            return this;
        }

        /** Where the unused and expiring rules find keys, and the unused rule their last use. */
        public Builder keys(KeyStore s, LastUseSource l) {
            store = Objects.requireNonNull(s);
            lastUse = Objects.requireNonNull(l);
            return this;
        }

        /** Where the expiring rule finds keys (the unused rule needs {@link #keys(KeyStore, LastUseSource)}). */
        public Builder keys(KeyStore s) {
            store = Objects.requireNonNull(s);
            return this;
        }

        /**
         * For a fleet: the periodic key checks run only on the instance holding the lease {@value #DEFAULT_LEASE}
         * (held for twice {@code checkInterval}, renewed every check), and each expiring alert is claimed through it,
         * so that one instance sends it. A {@code JdbcLease} ({@code stores.lease()}) shared by the instances.
         * Default none: each instance checks on its own.
         */
        public Builder lease(Lease l) { lease = Objects.requireNonNull(l); return this; }

        /** How often the key-store rules run by themselves once started; zero: only on {@link #checkKeys()}. Default one hour. */
        public Builder checkInterval(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("checkInterval must not be negative");
            checkInterval = d;
            return this;
        }

        public AlertingUsageSink build() {
            return new AlertingUsageSink(this);
        }
    }
}
