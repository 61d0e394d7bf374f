package dev.keys.jwt;

import dev.keys.api.Clock;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revoked token ids ({@code jti}), each kept until the token it names has expired plus a margin for clock skew
 * (default 5 minutes; a {@link JwtVerifier} refuses a list whose margin is below its own skew), after which the
 * token can no longer verify anyway.
 *
 * <p>Bounded: when full, entries whose token has expired are dropped; if it is still full, {@link #revoke} fails
 * loudly rather than silently forgetting an earlier revocation (which a size-evicting cache would do, and which
 * would bring a revoked token back). Thread-safe. In memory and per process: a deployment of several instances
 * revokes on each, or keeps token lifetimes short enough that revocation is rarely needed.
 */
public final class JtiDenyList {
    private final ConcurrentHashMap<String, Long> revoked = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int maxEntries;
    private final Duration skew;
    private final long skewNanos;

    public JtiDenyList(Clock clock, int maxEntries, Duration skew) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxEntries <= 0) throw new IllegalArgumentException("maxEntries must be positive");
        if (skew.isNegative()) throw new IllegalArgumentException("skew must not be negative");
        this.maxEntries = maxEntries;
        this.skew = skew;
        this.skewNanos = skew.toNanos();
    }

    /** At most {@code maxEntries} entries, kept 5 minutes past each token's expiry. */
    public JtiDenyList(Clock clock, int maxEntries) {
        this(clock, maxEntries, Duration.ofMinutes(5));
    }

    /** 100,000 entries on the system clock. */
    public JtiDenyList() {
        this(Clock.system(), 100_000);
    }

    /** How long past a token's expiry its entry is kept. */
    public Duration skew() {
        return skew;
    }

    /**
     * Revokes the token with this {@code jti} until {@code expiresAt} (the token's {@code exp}).
     *
     * @throws IllegalStateException when the list is full of tokens that have not expired yet
     */
    public void revoke(String jti, Instant expiresAt) {
        Objects.requireNonNull(jti, "jti");
        long until = Clock.toNanos(expiresAt) + skewNanos;
        long now = clock.nanos();
        if (until <= now) return;
        if (revoked.size() >= maxEntries && !revoked.containsKey(jti)) {
            purge(now);
            if (revoked.size() >= maxEntries) throw new IllegalStateException("the jti deny list is full (" + maxEntries + " unexpired entries)");
        }
        revoked.merge(jti, until, Math::max);
    }

    /** Whether the token with this {@code jti} is revoked now. */
    public boolean isRevoked(String jti) {
        Long until = revoked.get(jti);
        return until != null && clock.nanos() < until;
    }

    /** Drops entries whose token has expired. */
    public void purge() {
        purge(clock.nanos());
    }

    private void purge(long now) {
        revoked.values().removeIf(until -> until <= now);
    }

    /** Number of entries, expired ones included until the next purge. */
    public int size() {
        return revoked.size();
    }
}
