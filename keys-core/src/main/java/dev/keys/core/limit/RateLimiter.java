package dev.keys.core.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The token buckets of one key: one bandwidth per {@link RateLimit}, all taken from or none, in one compare-and-swap.
 *
 * <p>Design. A limiter lives in the key's cached entry, so its state is bounded by the cache and dies with the entry;
 * there is no map of per-key state anywhere. {@link #sameLimits} lets a replacement entry carry the instance over when
 * the limits did not change. Time comes in as a primitive (epoch nanoseconds from {@code dev.keys.api.Clock}); a
 * reading older than one already seen counts as no time passed. Refill is greedy (a token every
 * {@code duration / limit}) in integer nanoseconds; a new bucket starts full.
 *
 * <p>Costs. Three forms, chosen once from the configuration (see {@link Bandwidth}):
 * <ul>
 *   <li>one bandwidth whose token interval is a whole number of nanoseconds (100/s, 1000/min, 1000/day, ...): the
 *       state is a single long (GCRA), updated by one CAS; an admitted call allocates nothing;</li>
 *   <li>several such bandwidths: an immutable state of one object (40 bytes for two bandwidths) swapped by one CAS,
 *       which is itself the admitted call's report;</li>
 *   <li>anything else (3 per second, centuries): the exact form with a carried remainder and 128-bit products, one
 *       state object plus its array per admitted call.</li>
 * </ul>
 * A denied call writes nothing. Thread-safe and lock-free.
 */
public abstract class RateLimiter {

    /** No limits: every call is admitted with {@link LimitResult#UNLIMITED}. */
    public static final RateLimiter NONE = new RateLimiter(List.of(), new Bandwidth[0]) {
        @Override
        public LimitResult tryConsume(long cost, long nowNanos) {
            checkCost(cost);
            return LimitResult.UNLIMITED;
        }

        @Override
        protected List<RateLimitStatus> peek(long nowNanos) {
            return List.of();
        }
    };

    /** Which state form to use; tests force the exact form to check both against one spec. */
    enum Form { AUTO, EXACT }

    final List<RateLimit> limits;
    final Bandwidth[] bandwidths;
    private final long maxCost;
    /** {@code RateLimit-Policy} of these bandwidths, what this package's admitted results answer: it depends on the limits only. */
    final String policyField;

    /**
     * For limiters kept elsewhere than in this process (a {@link LimiterFactory} of another module): the bandwidths,
     * validated as {@link #of} does, so that {@link #maxCost()} and {@link #capacityDenial} hold for them too.
     *
     * @throws IllegalArgumentException when a name is used twice
     */
    protected RateLimiter(List<RateLimit> limits) {
        this(List.copyOf(limits), compile(List.copyOf(limits)));
    }

    RateLimiter(List<RateLimit> limits, Bandwidth[] bandwidths) {
        this.limits = limits;
        this.bandwidths = bandwidths;
        long min = Long.MAX_VALUE;
        for (Bandwidth b : bandwidths) min = Math.min(min, b.capacity);
        this.maxCost = min;
        // NONE is built before POLICIES exists, and has no policy to share.
        this.policyField = bandwidths.length == 0 ? "" : POLICIES.get(limits, l -> RateLimitFields.policy(bandwidths));
    }

    /**
     * A limiter for these bandwidths, full; {@link #NONE} for an empty list.
     *
     * @throws IllegalArgumentException when a name is used twice
     */
    public static RateLimiter of(List<RateLimit> limits) {
        return of(limits, Form.AUTO);
    }

    static RateLimiter of(List<RateLimit> limits, Form form) {
        List<RateLimit> copy = List.copyOf(Objects.requireNonNull(limits, "limits"));
        if (copy.isEmpty()) return NONE;
        Bandwidth[] bws = compile(copy);
        boolean allGcra = form == Form.AUTO;
        for (Bandwidth b : bws) allGcra &= b.gcra;
        if (!allGcra) return new ExactLimiter.Padded(copy, bws);
        return bws.length == 1 ? new GcraLimiter.Padded(copy, bws) : new GcraMultiLimiter.Padded(copy, bws);
    }

    /**
     * Compiled bandwidths by the limits they enforce: immutable and never written, so the keys of a tier, or any keys
     * with the same limits, share one array (about 110 bytes a bandwidth) and skip compiling it. Bounded; a limit
     * list that fell out is compiled again, with the same result.
     */
    private static final Cache<List<RateLimit>, Bandwidth[]> COMPILED = Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run).build();

    /**
     * The {@code RateLimit-Policy} value by the limits it describes, shared in the same way: a string a key would
     * otherwise hold on its own (about 70 bytes for one bandwidth).
     */
    private static final Cache<List<RateLimit>, String> POLICIES = Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run).build();

    private static Bandwidth[] compile(List<RateLimit> limits) {
        return COMPILED.get(limits, RateLimiter::compileNew);
    }

    private static Bandwidth[] compileNew(List<RateLimit> limits) {
        Set<String> names = new HashSet<>();
        Bandwidth[] bws = new Bandwidth[limits.size()];
        for (int i = 0; i < bws.length; i++) {
            RateLimit l = limits.get(i);
            if (!names.add(l.name())) throw new IllegalArgumentException("rate limit name '" + l.name() + "' is used twice");
            bws[i] = new Bandwidth(l);
        }
        return bws;
    }

    /**
     * Takes {@code cost} tokens from every bandwidth at time {@code nowNanos}, or none.
     *
     * @return an admitted result, a denial with the seconds until enough tokens are back, or (for a cost above a
     *         bandwidth's capacity) a denial with {@link LimitResult#exceedsCapacity()}
     * @throws IllegalArgumentException when {@code cost} is 0 or negative (a programming error, not a client's)
     */
    public abstract LimitResult tryConsume(long cost, long nowNanos);

    /** The state of every bandwidth at {@code nowNanos}, taking nothing; for display. */
    public final List<RateLimitStatus> statuses(long nowNanos) {
        return peek(nowNanos);
    }

    /** The state of every bandwidth at {@code nowNanos}, in the key's order, taking nothing. */
    protected abstract List<RateLimitStatus> peek(long nowNanos);

    /** True when this limiter enforces exactly {@code other} (same bandwidths, same order), so it can be carried over. */
    public final boolean sameLimits(List<RateLimit> other) {
        return limits.equals(other);
    }

    /** The bandwidths, in the key's order. */
    public final List<RateLimit> limits() {
        return limits;
    }

    /** The largest cost that can ever pass: the smallest capacity ({@code Long.MAX_VALUE} without limits). */
    public final long maxCost() {
        return maxCost;
    }

    /** @throws IllegalArgumentException when {@code cost} is 0 or negative */
    protected static void checkCost(long cost) {
        if (cost <= 0) throw new IllegalArgumentException("cost must be positive, was " + cost);
    }

    /** The denial of a cost above some capacity; {@code null} when the cost can pass. Rare, so it may allocate. */
    final LimitResult overCapacity(long cost, long nowNanos) {
        if (cost <= maxCost) return null;
        for (Bandwidth b : bandwidths) {
            if (cost > b.capacity) return new CapacityDenial(b, cost, peek(nowNanos));
        }
        throw new AssertionError();
    }

    /**
     * The denial of a cost above {@link #maxCost()}, for limiters of other modules: it waits for nothing and takes
     * nothing, whatever holds the state.
     *
     * @throws IllegalArgumentException when {@code cost} can pass
     */
    protected final LimitResult capacityDenial(long cost, long nowNanos) {
        LimitResult r = overCapacity(cost, nowNanos);
        if (r == null) throw new IllegalArgumentException("cost " + cost + " is within every capacity");
        return r;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + limits;
    }

    private record CapacityDenial(Bandwidth bandwidth, long cost, List<RateLimitStatus> statuses) implements LimitResult {
        @Override
        public boolean admitted() {
            return false;
        }

        @Override
        public boolean exceedsCapacity() {
            return true;
        }

        /** Waiting never helps; the bandwidth's window is the least a client should back off. */
        @Override
        public long retryAfterSeconds() {
            return bandwidth.windowSeconds;
        }

        @Override
        public String detail() {
            return "cost " + cost + " exceeds the capacity " + bandwidth.capacity + " of rate limit '" + bandwidth.limit.name() + "'";
        }
    }

    /** Detail of an ordinary denial. */
    static String exceeded(Bandwidth b) {
        return "rate limit '" + b.limit.name() + "' exceeded";
    }
}
