package dev.keys.jdbc;

import dev.keys.api.Background;
import dev.keys.api.KeyUsageTotal;
import dev.keys.api.Outcome;
import dev.keys.api.StoreException;
import dev.keys.api.UsageCount;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageLog;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link UsageLog} that counts verifications per key, minute and outcome in memory and writes the counts to
 * {@code keys_usage} in batches ({@code hits = hits + ?}), every flush interval (default one second) once
 * {@link #start started} (a verifier given it as usage sink does that, on its {@code Keys}' scheduler), and on
 * {@link #close()}. {@link #record} runs on the request thread and only adds to a bounded map: when the map holds
 * {@code maxPending} distinct (key, minute, outcome) slots, events for new slots are dropped and counted in
 * {@link #dropped()} rather than blocking or growing without bound. A flush that fails puts its counts back
 * (within the same bound) for the next one.
 */
public final class JdbcUsageLog implements UsageLog, Background, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JdbcUsageLog.class.getName());
    private static final long MINUTE_NANOS = 60_000_000_000L;
    private static final Outcome[] OUTCOMES = Outcome.values();

    /** What a flush leaves in a count it took, so that a record() that finds it afterwards counts in a fresh one. */
    private static final long TAKEN = Long.MIN_VALUE;

    /**
     * One count's place. Equality and hash are written out: every verification looks its slot up, and the record's
     * generated ones (method-handle chains) measured about 7% of the HTTP filter's own CPU in a profile.
     */
    private record Slot(String keyId, long minute, Outcome outcome) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Slot s && minute == s.minute && outcome == s.outcome && keyId.equals(s.keyId);
        }

        @Override
        public int hashCode() {
            return (keyId.hashCode() * 31 + Long.hashCode(minute)) * 31 + outcome.ordinal();
        }
    }

    private final Db db;
    private final int maxPending;
    /** Counts by slot; a count a flush took holds {@link #TAKEN} (negative) and is out of the map. */
    private final ConcurrentHashMap<Slot, AtomicLong> pending = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private final long flushMillis;
    /** Guarded by {@code this}. */
    private ScheduledFuture<?> flusher;
    private volatile boolean closed;

    JdbcUsageLog(Db db, Duration flushInterval, int maxPending) {
        if (maxPending < 1) throw new IllegalArgumentException("maxPending must be positive");
        this.db = db;
        this.maxPending = maxPending;
        this.flushMillis = flushInterval.isZero() ? 0 : Math.max(1, flushInterval.toMillis());
    }

    /** Flushes every flush interval on {@code scheduler} (none when the interval is zero); the first call only. */
    @Override
    public synchronized void start(ScheduledExecutorService scheduler) {
        if (flusher != null || closed || flushMillis == 0) return;
        flusher = scheduler.scheduleWithFixedDelay(this::flushQuietly, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void record(UsageEvent e) {
        if (closed) {
            dropped.increment();
            return;
        }
        add(new Slot(e.keyId(), Math.floorDiv(e.atNanos(), MINUTE_NANOS), e.outcome()), 1);
    }

    /**
     * One atomic add to the slot's count, without a lock (a {@code merge} would lock the map's bin: every request of
     * a busy key in the same minute wants the same one) or a boxed sum.
     */
    private void add(Slot slot, long n) {
        for (;;) {
            AtomicLong count = pending.get(slot);
            if (count == null) {
                if (pending.size() >= maxPending) {
                    dropped.add(n);
                    return;
                }
                count = pending.putIfAbsent(slot, new AtomicLong(n));
                if (count == null) return;
            }
            if (count.getAndAdd(n) >= 0) return;
            pending.remove(slot, count); // a flush took it (and removed it, unless we race with its removal): count anew
        }
    }

    /** Events dropped because the in-memory buffer was full (or the log closed). */
    public long dropped() {
        return dropped.sum();
    }

    /** Distinct (key, minute, outcome) slots waiting to be written. */
    public int pendingSlots() {
        return pending.size();
    }

    /**
     * Writes everything counted so far in one batch. Called by the scheduled flush; public for tests and shutdown hooks.
     *
     * @throws StoreException.Unavailable when the database cannot be written (the counts are kept for the next flush)
     */
    public synchronized void flush() {
        if (pending.isEmpty()) return;
        Map<Slot, Long> batch = new TreeMap<>(Comparator.comparing(Slot::keyId).thenComparingLong(Slot::minute).thenComparing(Slot::outcome));
        for (Slot s : pending.keySet()) {
            // Removed, then taken: an add before the take is in n; one after it sees TAKEN and starts a fresh count
            // for the next flush.
            AtomicLong count = pending.remove(s);
            if (count == null) continue;
            long n = count.getAndSet(TAKEN);
            if (n > 0) batch.put(s, n);
        }
        if (batch.isEmpty()) return;
        try {
            // Sorted rows, so that two instances flushing the same slots lock them in the same order.
            db.transaction("usage flush", c -> {
                try (PreparedStatement ps = db.prepare(c, db.dialect.addUsageSql())) {
                    for (Map.Entry<Slot, Long> e : batch.entrySet()) {
                        ps.setString(1, e.getKey().keyId());
                        ps.setObject(2, Db.timestamp(Instant.ofEpochSecond(e.getKey().minute() * 60)));
                        ps.setString(3, e.getKey().outcome().name());
                        ps.setLong(4, e.getValue());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        } catch (Db.UniqueViolation e) {
            // H2's MERGE raced another instance inserting the same new slot; the next flush finds the row.
            batch.forEach(this::add);
            throw new StoreException.Unavailable("usage flush collided with a concurrent writer; kept for the next flush", null);
        } catch (RuntimeException e) {
            batch.forEach(this::add);
            throw e;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "usage counts not written, kept for the next flush: {0}", e.getMessage());
        }
    }

    /**
     * One key's counts in {@code [from, to)} by period of {@code granularity} (one minute, hour or day, aligned to
     * UTC) and outcome, oldest first. Only flushed counts are seen: at most one flush interval behind.
     */
    @Override
    public List<UsageCount> counts(String keyId, Instant from, Instant to, Duration granularity) {
        long g = granularity.getSeconds();
        if (granularity.getNano() != 0 || (g != 60 && g != 3600 && g != 86400)) {
            throw new IllegalArgumentException("granularity must be one minute, one hour or one day");
        }
        Map<Long, long[]> byPeriod = new TreeMap<>();
        db.read("usage counts", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT period_start, outcome, hits FROM keys_usage WHERE key_id = ? AND period_start >= ? AND period_start < ?")) {
                ps.setString(1, keyId);
                ps.setObject(2, Db.timestamp(from));
                ps.setObject(3, Db.timestamp(to));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long start = Math.floorDiv(Db.instant(rs.getObject(1, OffsetDateTime.class)).getEpochSecond(), g) * g;
                        byPeriod.computeIfAbsent(start, k -> new long[OUTCOMES.length])[Outcome.valueOf(rs.getString(2)).ordinal()] += rs.getLong(3);
                    }
                }
            }
            return null;
        });
        List<UsageCount> out = new ArrayList<>();
        byPeriod.forEach((start, counts) -> {
            for (Outcome o : OUTCOMES) {
                if (counts[o.ordinal()] > 0) out.add(new UsageCount(keyId, Instant.ofEpochSecond(start), o, counts[o.ordinal()]));
            }
        });
        return out;
    }

    /**
     * The tenant's {@code n} keys with the most admitted verifications ({@code VALID}) in {@code [from, to)}, most
     * first (ties by key id). Minutes are whole: a bound inside a minute counts that minute if it starts at or after
     * {@code from}. Only flushed counts are seen. Keys are matched to the tenant through {@code keys_api_key}.
     *
     * @param n 1 to 1000
     */
    public List<KeyUsageTotal> topConsumers(String tenant, Instant from, Instant to, int n) {
        if (n < 1 || n > 1000) throw new IllegalArgumentException("n must be between 1 and 1000");
        return db.read("top consumers", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT u.key_id, k.owner_id, SUM(u.hits) AS admitted FROM keys_usage u "
                    + "JOIN keys_api_key k ON k.id = u.key_id WHERE k.tenant = ? AND u.outcome = 'VALID' AND u.period_start >= ? "
                    + "AND u.period_start < ? GROUP BY u.key_id, k.owner_id ORDER BY admitted DESC, u.key_id LIMIT " + n)) {
                ps.setString(1, tenant);
                ps.setObject(2, Db.timestamp(from));
                ps.setObject(3, Db.timestamp(to));
                List<KeyUsageTotal> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new KeyUsageTotal(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
                return out;
            }
        });
    }

    /**
     * Stops the scheduled flush and writes what is left from the calling thread (after a flush already running),
     * so that a clean shutdown loses nothing recorded before it. A crash loses what was counted since the last
     * flush: at most one flush interval.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (flusher != null) flusher.cancel(false);
        try {
            flush();
        } catch (StoreException.Unavailable e) {
            LOG.log(System.Logger.Level.WARNING, "usage counts lost at close: {0}", e.getMessage());
        }
    }
}
