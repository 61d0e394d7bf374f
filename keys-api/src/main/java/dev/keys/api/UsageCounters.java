package dev.keys.api;

/**
 * Exact counters behind quotas and remaining uses, shared by every instance that uses the same store. A counter
 * is named by key id, counter name (e.g. {@code quota}, {@code uses}) and window (the start of the period in epoch
 * seconds, or 0 for a counter that never resets). Implementations are atomic: never read-modify-write.
 */
public interface UsageCounters {

    /**
     * Adds {@code amount} to the counter if the result stays at or below {@code limit}.
     *
     * @return the counter's value after the addition, or -1 when it would have passed {@code limit} (nothing added)
     * @throws StoreException.Unavailable when the backing store cannot answer
     */
    long tryAdd(String keyId, String counter, long window, long amount, long limit);

    /** The counter's current value, 0 when it was never added to. */
    long get(String keyId, String counter, long window);

    /** Sets the counter to {@code value}, e.g. when an admin sets a key's remaining uses anew. */
    void set(String keyId, String counter, long window, long value);
}
