package dev.keys.api;

import java.util.List;
import java.util.Objects;

/**
 * Exact counters behind quotas and remaining uses, shared by every instance that uses the same store. A counter
 * is named by key id, counter name (e.g. {@code quota}, {@code uses}) and window (the start of the period in epoch
 * seconds, or 0 for a counter that never resets). Implementations are atomic: never read-modify-write.
 *
 * <p>A request that is limited by several counters (a quota period and remaining uses) takes them all in one
 * {@link #tryAddAll} call, so that it costs one store round trip whether it is admitted or denied, and no other
 * caller ever sees one counter taken and the other not.
 */
public interface UsageCounters {

    /**
     * Adds each increment to its counter of key {@code keyId} if every result stays at or below its limit; all of
     * them or none, atomically with respect to every other call on the same counters (also from other instances).
     *
     * @param increments one or more, each for a different counter or window
     * @return {@link Added} with the values after the additions, or {@link Refused} naming the first increment (in
     *         this call's order) that would have passed its limit, with the values as they stand (nothing added)
     * @throws IllegalArgumentException when {@code increments} is empty or names a counter and window twice
     * @throws StoreException.Unavailable when the backing store cannot answer
     */
    Result tryAddAll(String keyId, List<Increment> increments);

    /** The counter's current value, 0 when it was never added to. */
    long get(String keyId, String counter, long window);

    /** Sets the counter to {@code value}, e.g. when an admin sets a key's remaining uses anew. */
    void set(String keyId, String counter, long window, long value);

    /**
     * One counter of a {@link #tryAddAll} call: add {@code amount} to it in {@code window} if the result stays at
     * or below {@code limit}.
     */
    record Increment(String counter, long window, long amount, long limit) {
        /** @throws IllegalArgumentException when {@code amount} is not positive or {@code limit} is negative */
        public Increment {
            Objects.requireNonNull(counter, "counter");
            if (amount < 1) throw new IllegalArgumentException("amount must be positive, was " + amount);
            if (limit < 0) throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }

        /**
         * Whether adding {@code amount} to a counter at {@code value} stays within {@code limit}, without overflow; a
         * negative value (a store's "no such window") never fits.
         */
        public boolean fits(long value) {
            return value >= 0 && value <= limit - amount;
        }
    }

    /** The answer of {@link #tryAddAll}: every increment added, or none. */
    sealed interface Result permits Added, Refused {
        /** Each counter's value, in the order of the call's increments. */
        List<Long> values();

        /** The value of the counter of the call's {@code i}-th increment. */
        default long value(int i) {
            return values().get(i);
        }
    }

    /** Every increment was added; {@code values} are the counters after the additions. */
    record Added(List<Long> values) implements Result {
        public Added {
            values = List.copyOf(values);
        }

        /** From the values as a store reads them. */
        public Added(long... values) {
            this(boxed(values));
        }
    }

    /**
     * Nothing was added: increment {@code index} (the first in the call's order that would have passed its limit)
     * refused; {@code values} are the counters as they stand.
     */
    record Refused(int index, List<Long> values) implements Result {
        public Refused {
            values = List.copyOf(values);
            if (index < 0 || index >= values.size()) throw new IllegalArgumentException("index " + index + " is not one of the increments");
        }

        /** From the values as a store reads them. */
        public Refused(int index, long... values) {
            this(index, boxed(values));
        }
    }

    private static List<Long> boxed(long[] values) {
        Long[] out = new Long[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return List.of(out);
    }
}
