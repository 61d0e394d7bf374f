package dev.keys.core.store;

import dev.keys.api.UsageCounters;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exact {@link UsageCounters} for one process (tests, single-instance deployments). All counters of a key live in
 * one map entry, replaced whole by {@link ConcurrentHashMap#compute}, so a {@link #tryAddAll} over several of them
 * is atomic and concurrent calls never pass a limit; readers see the entry before or after a call, never half.
 *
 * <p>Memory is bounded by the number of (key id, counter) pairs: each keeps only its two most recent windows (the
 * current one and the one before, so a request that read the clock just before a period boundary is still counted
 * in its period). A window older than those two is dropped when a newer one is first used; reading it answers 0 and
 * adding to it is refused, failing closed. {@link #remove} forgets a deleted key. Thread-safe.
 */
public final class InMemoryUsageCounters implements UsageCounters {

    /** One counter's current window and the one before it; {@code prevWindow} is Long.MIN_VALUE when there is none. */
    private record Slot(String counter, long window, long value, long prevWindow, long prevValue) {
        static Slot first(String counter, long window) {
            return new Slot(counter, window, 0, Long.MIN_VALUE, 0);
        }

        Slot advancedTo(long w) {
            if (w <= window) return this;
            return new Slot(counter, w, 0, window, value);
        }

        /** The value in {@code w} (after {@link #advancedTo}), or -1 when {@code w} is a dropped window. */
        long valueIn(long w) {
            return w == window ? value : w == prevWindow ? prevValue : -1;
        }

        /** This slot with {@code v} in {@code w}, which must be its window or the one before. */
        Slot with(long w, long v) {
            return w == window ? new Slot(counter, w, v, prevWindow, prevValue) : new Slot(counter, window, value, w, v);
        }
    }

    private static final Slot[] NONE = new Slot[0];
    /** Key id to its slots; an array is never changed once in the map. */
    private final ConcurrentHashMap<String, Slot[]> keys = new ConcurrentHashMap<>();

    @Override
    public Result tryAddAll(String keyId, List<Increment> increments) {
        Objects.requireNonNull(keyId, "keyId");
        int n = increments.size();
        if (n == 0) throw new IllegalArgumentException("at least one increment");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                Increment a = increments.get(i), b = increments.get(j);
                if (a.window() == b.window() && a.counter().equals(b.counter())) {
                    throw new IllegalArgumentException("counter " + a.counter() + " and window " + a.window() + " twice");
                }
            }
        }
        long[] before = new long[n], after = new long[n];
        int[] refused = new int[1];
        keys.compute(keyId, (k, slots) -> {
            refused[0] = -1;
            Slot[] next = slots == null ? NONE : slots;
            for (int i = 0; i < n; i++) {
                Increment inc = increments.get(i);
                int at = indexOf(next, inc.counter());
                Slot s = at < 0 ? Slot.first(inc.counter(), inc.window()) : next[at].advancedTo(inc.window());
                long v = s.valueIn(inc.window());
                before[i] = Math.max(0, v);
                if (refused[0] < 0 && !inc.fits(v)) refused[0] = i; // v is -1 in a dropped window: never fits
                if (refused[0] >= 0) continue; // nothing is added any more, but every value is still read
                after[i] = v + inc.amount();
                next = put(next, at, s.with(inc.window(), after[i]));
            }
            return refused[0] >= 0 ? slots : next;
        });
        return refused[0] >= 0 ? new Refused(refused[0], before) : new Added(after);
    }

    @Override
    public long get(String keyId, String counter, long window) {
        Slot[] slots = keys.get(Objects.requireNonNull(keyId, "keyId"));
        int at = slots == null ? -1 : indexOf(slots, Objects.requireNonNull(counter, "counter"));
        return at < 0 ? 0 : Math.max(0, slots[at].advancedTo(window).valueIn(window));
    }

    @Override
    public void set(String keyId, String counter, long window, long value) {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(counter, "counter");
        if (value < 0) throw new IllegalArgumentException("a counter is never negative");
        keys.compute(keyId, (k, slots) -> {
            Slot[] cur = slots == null ? NONE : slots;
            int at = indexOf(cur, counter);
            Slot s = at < 0 ? Slot.first(counter, window) : cur[at].advancedTo(window);
            return s.valueIn(window) < 0 ? slots : put(cur, at, s.with(window, value));
        });
    }

    /** Forgets every counter of a key, e.g. once it is deleted. */
    public void remove(String keyId) {
        keys.remove(keyId);
    }

    /** The number of (key id, counter) pairs held (counts every key: for tests and diagnostics). */
    public int size() {
        int n = 0;
        for (Slot[] s : keys.values()) n += s.length;
        return n;
    }

    private static int indexOf(Slot[] slots, String counter) {
        for (int i = 0; i < slots.length; i++) if (slots[i].counter.equals(counter)) return i;
        return -1;
    }

    /** A copy of {@code slots} with {@code s} at {@code at}, or appended when {@code at} is -1. */
    private static Slot[] put(Slot[] slots, int at, Slot s) {
        Slot[] out = Arrays.copyOf(slots, at < 0 ? slots.length + 1 : slots.length);
        out[at < 0 ? slots.length : at] = s;
        return out;
    }
}
