package dev.keys.api;

import java.time.Duration;

/**
 * A named lease held by one owner at a time, so that a periodic job (sweeps, unused-key checks) runs on one
 * instance of several that share a database. The holder renews it each round; when the holder stops renewing,
 * another owner may take it once it has expired. Implementations are thread-safe.
 */
public interface Lease {

    /**
     * Takes the lease {@code name} for {@code owner} until {@code ttl} from now, or renews it when {@code owner}
     * holds it already.
     *
     * @return true when {@code owner} holds the lease now, false when another owner holds an unexpired lease
     * @throws StoreException.Unavailable when the backing system cannot answer (callers treat that as not held)
     */
    boolean tryAcquire(String name, String owner, Duration ttl);

    /** Gives the lease up early when {@code owner} holds it; otherwise does nothing. */
    void release(String name, String owner);
}
