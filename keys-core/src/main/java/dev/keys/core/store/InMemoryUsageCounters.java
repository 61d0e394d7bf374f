package dev.keys.core.store;

import dev.keys.api.UsageCounters;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exact {@link UsageCounters} for one process (tests, single-instance deployments). Each update is atomic per
 * (key id, counter) via {@link ConcurrentHashMap#compute}, so concurrent adds never pass their limit.
 *
 * <p>Memory is bounded by the number of (key id, counter) pairs: each keeps only its two most recent windows (the
 * current one and the one before, so a request that read the clock just before a period boundary is still counted
 * in its period). A window older than those two is dropped when a newer one is first used; reading it answers 0 and
 * adding to it is refused (-1), failing closed. {@link #remove} forgets a deleted key. Thread-safe.
 */
public final class InMemoryUsageCounters implements UsageCounters {

    private record Id(String keyId, String counter) {
    }

    /** The current window and the one before it; {@code prevWindow} is Long.MIN_VALUE when there is none. */
    private record Slot(long window, long value, long prevWindow, long prevValue) {
        Slot advancedTo(long w) {
            if (w <= window) return this;
            return new Slot(w, 0, window, value);
        }
    }

    private final ConcurrentHashMap<Id, Slot> slots = new ConcurrentHashMap<>();

    @Override
    public long tryAdd(String keyId, String counter, long window, long amount, long limit) {
        long[] result = {-1};
        slots.compute(id(keyId, counter), (id, s) -> {
            Slot slot = s == null ? new Slot(window, 0, Long.MIN_VALUE, 0) : s.advancedTo(window);
            if (window == slot.window) {
                long v = add(slot.value, amount, limit);
                if (v < 0) return slot;
                result[0] = v;
                return new Slot(slot.window, v, slot.prevWindow, slot.prevValue);
            }
            if (window == slot.prevWindow) {
                long v = add(slot.prevValue, amount, limit);
                if (v < 0) return slot;
                result[0] = v;
                return new Slot(slot.window, slot.value, slot.prevWindow, v);
            }
            return slot; // a dropped window
        });
        return result[0];
    }

    /** value + amount when it stays within 0 to limit; -1 otherwise (never overflows). */
    private static long add(long value, long amount, long limit) {
        long v = value + amount;
        if (((value ^ v) & (amount ^ v)) < 0) return -1;
        return v > limit || v < 0 ? -1 : v;
    }

    @Override
    public long get(String keyId, String counter, long window) {
        Slot s = slots.get(id(keyId, counter));
        if (s == null) return 0;
        return window == s.window ? s.value : window == s.prevWindow ? s.prevValue : 0;
    }

    @Override
    public void set(String keyId, String counter, long window, long value) {
        if (value < 0) throw new IllegalArgumentException("a counter is never negative");
        slots.compute(id(keyId, counter), (id, s) -> {
            Slot slot = s == null ? new Slot(window, 0, Long.MIN_VALUE, 0) : s.advancedTo(window);
            if (window == slot.window) return new Slot(window, value, slot.prevWindow, slot.prevValue);
            if (window == slot.prevWindow) return new Slot(slot.window, slot.value, window, value);
            return slot;
        });
    }

    /** Forgets every counter of a key, e.g. once it is deleted. */
    public void remove(String keyId) {
        slots.keySet().removeIf(id -> id.keyId.equals(keyId));
    }

    /** The number of (key id, counter) pairs held. */
    public int size() {
        return slots.size();
    }

    private static Id id(String keyId, String counter) {
        return new Id(Objects.requireNonNull(keyId, "keyId"), Objects.requireNonNull(counter, "counter"));
    }
}
