package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.Background;
import dev.keys.api.RateLimit;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.RateLimiter;
import dev.keys.core.ops.AlertListener;

import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Rate limits that hold across a fleet: every instance keeps its keys' token buckets in one Redis, so that together
 * they admit what a single instance would (docs/contract.md §7). Hand it to the verifier:
 * <pre>{@code
 * RedisLimits redis = RedisLimits.builder("redis://127.0.0.1:6379").build();
 * Keys keys = Keys.builder().store(store).limiters(redis).build();
 * }</pre>
 *
 * <p>{@link Mode#EXACT} (the default) makes one Redis round trip per limited request, an atomic script that checks and
 * takes every bandwidth of the key. {@link Mode#LOCAL_FIRST} leases tokens to each instance in batches and decides
 * most requests in process; it never admits more than the limit either, and holds back at most its leases
 * (see {@link Builder#lease}). Time is always the verifier's clock, passed into the script.
 *
 * <p>When Redis fails or answers later than {@link Builder#timeout}, limits fall back to in-process buckets, or answer
 * {@code STORE_UNAVAILABLE} under {@link FaultPolicy#UNAVAILABLE}; never does a request pass with no limit. One log
 * line ({@code dev.keys.redis}) and one alert mark each outage, {@link #fallbacks()} counts the requests it touched,
 * and the shared state takes over again once a background probe finds Redis back. Thread-safe; close it after the
 * verifier.
 */
public final class RedisLimits implements LimiterFactory, Background, AutoCloseable {

    /** Where the fleet's buckets are decided. */
    public enum Mode {
        /** One atomic script per limited request: exact across the fleet. */
        EXACT,
        /** Tokens leased to each instance in batches: most requests decided in process, never more than the limit. */
        LOCAL_FIRST
    }

    /** What a rate-limited request gets while Redis is down or slow. */
    public enum FaultPolicy {
        /** In-process buckets per instance (so a fleet of N admits up to N times the limit meanwhile). */
        FALL_BACK,
        /** {@code STORE_UNAVAILABLE} (503) for every request that has rate limits. */
        UNAVAILABLE
    }

    private final Mode mode;
    private final String prefix;
    private final Link link;
    private final Fallback.Factory fallbacks;
    private final LeasedLimiter.Leases leases;
    /** How long a hash outlives the moment its lanes are full again: leases, clock skew and a margin. */
    private final Duration idle;
    /** Limiters holding a lease, to give back on close; weak, as entries come and go with the verifier's cache. */
    private final Set<LeasedLimiter> holders = Collections.newSetFromMap(Caffeine.newBuilder().weakKeys().<LeasedLimiter, Boolean>build().asMap());

    private RedisLimits(Builder b) {
        this.mode = b.mode;
        this.prefix = b.prefix;
        this.leases = new LeasedLimiter.Leases(b.leaseTime.toNanos(), b.clockSkew.toNanos(), b.leaseFraction, 1_000_000);
        this.idle = b.leaseTime.plus(b.clockSkew).plusSeconds(10);
        this.link = new Link(b.uri, b.timeout, b.probeInterval, b.alerts, b.faults == FaultPolicy.UNAVAILABLE);
        this.fallbacks = new Fallback.Factory(LimiterFactory.inProcess(), b.faults == FaultPolicy.UNAVAILABLE, link);
    }

    /** @param uri a Lettuce URI: {@code redis://host:6379}, {@code rediss://...} for TLS, {@code redis-sentinel://...} */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** Runs the probe and the alerts on {@code scheduler} (never shut down here); only the first call counts. */
    @Override
    public void start(ScheduledExecutorService scheduler) {
        link.start(scheduler);
    }

    @Override
    public RateLimiter create(ApiKey key, List<RateLimit> limits) {
        if (limits.isEmpty()) return RateLimiter.NONE;
        link.startAlone(); // a no-op once started on a Keys's scheduler
        Plan plan = new Plan(key, limits, prefix, idle);
        return mode == Mode.EXACT ? new SharedLimiter(key, limits, plan, link, fallbacks)
                : new LeasedLimiter(key, limits, plan, link, fallbacks, leases, holders);
    }

    public Mode mode() {
        return mode;
    }

    /** True while Redis answers; false from a failed call until the probe finds it back. */
    public boolean available() {
        return link.up();
    }

    /** Requests decided without Redis (by in-process buckets, or answered 503), since start. */
    public long fallbacks() {
        return link.fallbacks();
    }

    /** Script calls made, since start (for tests of how many requests a lease spares). */
    long calls() {
        return link.calls();
    }

    /** Probes Redis now rather than at the next interval (tests wait on this, never on time). */
    boolean probe() {
        return link.probe();
    }

    /** Redis calls that failed or timed out, since start. */
    public long failures() {
        return link.failures();
    }

    /** Gives back every lease's unspent tokens, then closes the connection. */
    @Override
    public void close() {
        for (LeasedLimiter l : List.copyOf(holders)) l.giveBack(Long.MIN_VALUE);
        link.close();
    }

    /** Configuration of {@link RedisLimits}. */
    public static final class Builder {
        private final String uri;
        private Mode mode = Mode.EXACT;
        private FaultPolicy faults = FaultPolicy.FALL_BACK;
        private Duration timeout = Duration.ofMillis(5);
        private Duration probeInterval = Duration.ofMillis(500);
        private String prefix = "keys";
        private AlertListener alerts = a -> { };
        private Duration leaseTime = Duration.ofSeconds(1), clockSkew = Duration.ofMillis(250);
        private double leaseFraction = 0.1;

        private Builder(String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        /** Default {@link Mode#EXACT}. */
        public Builder mode(Mode m) { mode = Objects.requireNonNull(m); return this; }

        /** Default {@link FaultPolicy#FALL_BACK}. */
        public Builder onFailure(FaultPolicy p) { faults = Objects.requireNonNull(p); return this; }

        /** How long a request waits for Redis before its limits are decided without it. Default 5 ms. */
        public Builder timeout(Duration d) { timeout = positive(d, "timeout"); return this; }

        /** How often a down Redis is tried again, off the request threads. Default 500 ms. */
        public Builder probeInterval(Duration d) { probeInterval = positive(d, "probeInterval"); return this; }

        /** The start of every Redis key this writes, inside its hash tag: {@code {<prefix>:...}}. Default {@code keys}. */
        public Builder keyPrefix(String p) {
            if (!p.matches("[A-Za-z0-9_.-]{1,64}")) throw new IllegalArgumentException("keyPrefix must be 1 to 64 of [A-Za-z0-9_.-]");
            prefix = p;
            return this;
        }

        /**
         * {@link Mode#LOCAL_FIRST}: how long an instance may spend a lease (default 1 s), and the largest share of a
         * bucket's capacity one lease may hold (default 0.1). Together they bound what leases hold back: per key and
         * instance, at most {@code maxFraction} of the smallest capacity, for at most {@code time}. A bucket whose
         * share is under 2 tokens is never leased, and every request of it is one round trip, as in EXACT.
         */
        public Builder lease(Duration time, double maxFraction) {
            leaseTime = positive(time, "lease time");
            if (!(maxFraction > 0 && maxFraction <= 1)) throw new IllegalArgumentException("maxFraction must be in (0, 1]");
            leaseFraction = maxFraction;
            return this;
        }

        /**
         * {@link Mode#LOCAL_FIRST}: how far apart the instances' clocks may be. A lease that was not reported lapses in
         * Redis this long after its holder stops spending it, and is then counted as spent. Default 250 ms.
         */
        public Builder clockSkew(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("clockSkew must not be negative");
            clockSkew = d;
            return this;
        }

        /** Receives one {@code redis-down} alert per outage (e.g. a {@code WebhookAlertSink}). Default none. */
        public Builder alerts(AlertListener l) { alerts = Objects.requireNonNull(l); return this; }

        /** Connects (an unreachable Redis is fine: limits start in the fault policy and the probe keeps trying). */
        public RedisLimits build() {
            return new RedisLimits(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive");
            return d;
        }
    }
}
