package dev.keys.core.store;

import dev.keys.api.Background;
import dev.keys.api.Outcome;
import dev.keys.api.UsageCount;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageLog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Usage analytics in memory: counts per key, minute and outcome, in bounded memory.
 *
 * <p>{@link #record} runs on the request thread, so it only enqueues (lock-free, no allocation beyond the queue
 * node); when the queue holds {@code queueCapacity} events, further events are dropped and counted in
 * {@link #dropped()} rather than blocking a request. Once {@link #start started} (a verifier given it as usage sink
 * does that, on its {@code Keys}' scheduler), a task folds the queue into the aggregate every {@code drainInterval};
 * {@link #counts} folds it too before reading, so that a reader sees every event recorded before the call. The aggregate keeps at most {@code maxRows} (key, minute) rows and nothing older than
 * {@code retention}; the oldest minutes go first.
 */
public final class InMemoryUsageLog implements UsageLog, Background, AutoCloseable {
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final long MINUTE = 60;

    private final ConcurrentLinkedQueue<UsageEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final int queueCapacity;
    private final int maxRows;
    private final long retentionSeconds;
    /** Minute (epoch seconds) to key id to counts by outcome ordinal. Guarded by {@code this}. */
    private final TreeMap<Long, Map<String, long[]>> minutes = new TreeMap<>();
    private int rows;
    private final long drainMillis;
    /** Guarded by {@code this}. */
    private ScheduledFuture<?> drainer;
    private boolean closed;

    /** 65,536 queued events, 100,000 rows, 7 days of retention, drained every 100 ms. */
    public InMemoryUsageLog() {
        this(65_536, 100_000, Duration.ofDays(7), Duration.ofMillis(100));
    }

    /**
     * @param drainInterval how often the queue is folded in once started; zero for never (then only
     *                      {@link #counts} and {@link #drain} fold it, and events beyond the queue's capacity are
     *                      dropped)
     */
    public InMemoryUsageLog(int queueCapacity, int maxRows, Duration retention, Duration drainInterval) {
        if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be positive");
        if (maxRows < 1) throw new IllegalArgumentException("maxRows must be positive");
        if (retention.isNegative() || retention.isZero()) throw new IllegalArgumentException("retention must be positive");
        if (drainInterval.isNegative()) throw new IllegalArgumentException("drainInterval must not be negative");
        this.queueCapacity = queueCapacity;
        this.maxRows = maxRows;
        this.retentionSeconds = retention.toSeconds();
        this.drainMillis = drainInterval.isZero() ? 0 : Math.max(1, drainInterval.toMillis());
    }

    /** Folds the queue in every {@code drainInterval} on {@code scheduler}; the first call only. */
    @Override
    public synchronized void start(ScheduledExecutorService scheduler) {
        if (drainer != null || closed || drainMillis == 0) return;
        drainer = scheduler.scheduleWithFixedDelay(this::drain, drainMillis, drainMillis, TimeUnit.MILLISECONDS);
    }

    /** Enqueues only; never blocks. */
    @Override
    public void record(UsageEvent event) {
        if (queued.incrementAndGet() > queueCapacity) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(event);
    }

    /** Folds every queued event into the aggregate. */
    public synchronized void drain() {
        UsageEvent e;
        long newest = Long.MIN_VALUE;
        while ((e = queue.poll()) != null) {
            queued.decrementAndGet();
            long minute = Math.floorDiv(Math.floorDiv(e.atNanos(), 1_000_000_000L), MINUTE) * MINUTE;
            Map<String, long[]> byKey = minutes.computeIfAbsent(minute, m -> new HashMap<>());
            long[] counts = byKey.get(e.keyId());
            if (counts == null) {
                counts = new long[OUTCOMES.length];
                byKey.put(e.keyId(), counts);
                rows++;
            }
            counts[e.outcome().ordinal()]++;
            newest = Math.max(newest, minute);
        }
        if (newest != Long.MIN_VALUE) evict(newest);
    }

    private void evict(long newestMinute) {
        long oldestKept = newestMinute - retentionSeconds;
        while (!minutes.isEmpty() && (rows > maxRows || minutes.firstKey() < oldestKept)) {
            rows -= minutes.pollFirstEntry().getValue().size();
        }
    }

    /**
     * Counts with a resolution of one minute: a minute is counted when it starts in {@code [from, to)}, with
     * {@code from} rounded down to its minute.
     *
     * @param granularity a positive whole number of minutes (one minute, hour or day in the usual case)
     */
    @Override
    public List<UsageCount> counts(String keyId, Instant from, Instant to, Duration granularity) {
        Objects.requireNonNull(keyId, "keyId");
        long g = granularity.getSeconds();
        if (granularity.getNano() != 0 || g < MINUTE || g % MINUTE != 0) {
            throw new IllegalArgumentException("granularity must be a whole number of minutes");
        }
        long fromMinute = Math.floorDiv(from.getEpochSecond(), MINUTE) * MINUTE;
        long toSecond = to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0);
        TreeMap<Long, long[]> periods = new TreeMap<>();
        synchronized (this) {
            drain();
            if (fromMinute >= toSecond) return List.of();
            for (Map.Entry<Long, Map<String, long[]>> m : minutes.subMap(fromMinute, true, toSecond, false).entrySet()) {
                long[] c = m.getValue().get(keyId);
                if (c == null) continue;
                long period = Math.floorDiv(m.getKey(), g) * g;
                long[] sum = periods.computeIfAbsent(period, p -> new long[OUTCOMES.length]);
                for (int i = 0; i < c.length; i++) sum[i] += c[i];
            }
        }
        List<UsageCount> out = new ArrayList<>();
        for (Map.Entry<Long, long[]> p : periods.entrySet()) {
            Instant start = Instant.ofEpochSecond(p.getKey());
            long[] sum = p.getValue();
            for (int i = 0; i < sum.length; i++) {
                if (sum[i] != 0) out.add(new UsageCount(keyId, start, OUTCOMES[i], sum[i]));
            }
        }
        return out;
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** (key, minute) rows held. */
    public synchronized int rows() {
        return rows;
    }

    /** Stops the scheduled folding; what is queued is still folded by the next {@link #counts}. */
    @Override
    public synchronized void close() {
        closed = true;
        if (drainer != null) drainer.cancel(false);
    }
}
