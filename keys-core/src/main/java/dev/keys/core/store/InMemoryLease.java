package dev.keys.core.store;

import dev.keys.api.Clock;
import dev.keys.api.Lease;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** A {@link Lease} within one JVM: for a single instance, or for tests of several sweepers on one clock. */
public final class InMemoryLease implements Lease {
    private record Held(String owner, long expiresAtNanos) {
    }

    private final Clock clock;
    private final Map<String, Held> held = new HashMap<>();

    public InMemoryLease(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized boolean tryAcquire(String name, String owner, Duration ttl) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
        long now = clock.nanos();
        Held h = held.get(name);
        if (h != null && !h.owner.equals(owner) && h.expiresAtNanos > now) return false;
        held.put(name, new Held(owner, now + ttl.toNanos()));
        return true;
    }

    @Override
    public synchronized void release(String name, String owner) {
        Held h = held.get(name);
        if (h != null && h.owner.equals(owner)) held.remove(name);
    }
}
