package dev.keys.spring;

import dev.keys.api.Clock;
import dev.keys.core.Keys;
import dev.keys.core.verify.Verifier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code /actuator/health/keys}: whether the key store answers, and how far behind its change feed this instance
 * is (changes made by other instances, revocations among them, hold here only once polled). Down when the store
 * does not answer, when the verifier last saw it failing, or when the feed has not been read for ten sync intervals
 * (at least five seconds), which means revocations elsewhere are not reaching this instance. With Redis limits,
 * whether Redis answers: while it does not, limits hold per instance (up, said in the details), or, when so
 * configured, limited requests answer 503 (down).
 */
final class KeysHealthIndicator implements HealthIndicator {
    /** The state of fleet-wide limits (keys-redis), read without naming its types here. */
    interface SharedLimits {
        boolean available();

        long fallbacks();

        boolean failsClosed();
    }

    private final Keys keys;
    private final Optional<FeedWatch> feed;
    private final long stalledNanos;
    private final Optional<SharedLimits> limits;

    KeysHealthIndicator(Keys keys, Optional<FeedWatch> feed, Duration syncInterval, Optional<SharedLimits> limits) {
        this.keys = keys;
        this.feed = feed;
        this.limits = limits;
        this.stalledNanos = syncInterval.isZero() ? 0 : Math.max(Duration.ofSeconds(5).toNanos(), syncInterval.toNanos() * 10);
    }

    @Override
    public Health health() {
        Verifier v = keys.verifier();
        long newest;
        try {
            newest = keys.store().lastSequence();
        } catch (RuntimeException e) {
            return Health.down().withDetail("store", "unreachable").withDetail("error", e.getClass().getSimpleName()).build();
        }
        Health.Builder b = v.storeDown() ? Health.down().withDetail("store", "failing") : Health.up().withDetail("store", "reachable");
        b.withDetail("cachedKeys", v.cachedKeys());
        if (feed.isPresent()) {
            FeedWatch f = feed.get();
            b.withDetail("changeFeedLag", Math.max(0, newest - f.read()));
            long last = f.lastPollNanos();
            if (last != 0) {
                long age = Clock.system().nanos() - last;
                b.withDetail("lastPollMillisAgo", age / 1_000_000);
                if (stalledNanos > 0 && age > stalledNanos) b.down().withDetail("changeFeed", "not polled for " + age / 1_000_000_000 + " s");
            }
        }
        if (limits.isPresent()) {
            SharedLimits l = limits.get();
            b.withDetail("redis", l.available() ? "reachable" : l.failsClosed() ? "unreachable: limited requests answer 503"
                    : "unreachable: limits hold per instance").withDetail("redisFallbacks", l.fallbacks());
            if (!l.available() && l.failsClosed()) b.down();
        }
        return b.build();
    }
}
