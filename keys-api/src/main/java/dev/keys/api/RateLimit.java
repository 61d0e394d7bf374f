package dev.keys.api;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One named bandwidth of a key: {@code limit} tokens refilled greedily over {@code duration}, with a bucket
 * capacity of {@code burst} tokens when given (0 means the capacity is {@code limit}), counted per key or, by
 * {@code scope}, once for every key of an owner or of a tenant.
 */
public record RateLimit(String name, long limit, Duration duration, long burst, Scope scope) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    /**
     * Whose requests one bucket counts (docs/contract.md §5, {@code ratelimits[].scope}). On the wire it is written in
     * lower case; it is read in any case.
     */
    public enum Scope {
        /** Every key its own bucket: the default. */
        KEY,
        /** One bucket for all keys of one tenant and {@code ownerId}, so that a consumer cannot multiply its limit by creating keys. */
        OWNER,
        /** One bucket for all keys of one tenant. */
        TENANT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming the accepted values */
        public static Scope parse(String text) {
            for (Scope s : values()) {
                if (s.name().equalsIgnoreCase(text)) return s;
            }
            throw new IllegalArgumentException("scope must be key, owner or tenant");
        }
    }

    public RateLimit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(scope, "scope");
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("rate limit name must be 1 to 32 of [A-Za-z0-9_.-]");
        if (limit <= 0) throw new IllegalArgumentException("rate limit '" + name + "': limit must be positive");
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("rate limit '" + name + "': duration must be positive");
        if (burst < 0) throw new IllegalArgumentException("rate limit '" + name + "': burst must not be negative");
    }

    /** A bandwidth of the key's own, its capacity {@code limit}. */
    public RateLimit(String name, long limit, Duration duration) {
        this(name, limit, duration, 0, Scope.KEY);
    }

    /** A bandwidth of the key's own. */
    public RateLimit(String name, long limit, Duration duration, long burst) {
        this(name, limit, duration, burst, Scope.KEY);
    }

    /** The same bandwidth counted in another scope. */
    public RateLimit withScope(Scope s) {
        return new RateLimit(name, limit, duration, burst, s);
    }

    /** The bucket capacity: {@code burst} when set, otherwise {@code limit}. */
    public long capacity() {
        return burst > 0 ? burst : limit;
    }
}
