package dev.keys.api;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One named bandwidth of a key: {@code limit} tokens refilled greedily over {@code duration}, with a bucket
 * capacity of {@code burst} tokens when given (0 means the capacity is {@code limit}).
 */
public record RateLimit(String name, long limit, Duration duration, long burst) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    public RateLimit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(duration, "duration");
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("rate limit name must be 1 to 32 of [A-Za-z0-9_.-]");
        if (limit <= 0) throw new IllegalArgumentException("rate limit '" + name + "': limit must be positive");
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("rate limit '" + name + "': duration must be positive");
        if (burst < 0) throw new IllegalArgumentException("rate limit '" + name + "': burst must not be negative");
    }

    public RateLimit(String name, long limit, Duration duration) {
        this(name, limit, duration, 0);
    }

    /** The bucket capacity: {@code burst} when set, otherwise {@code limit}. */
    public long capacity() {
        return burst > 0 ? burst : limit;
    }
}
