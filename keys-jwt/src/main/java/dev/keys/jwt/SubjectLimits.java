package dev.keys.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keys.api.ApiKey;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.RateLimiter;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Rate limits per token subject ({@code sub}): all tokens of one subject share one {@link RateLimiter}, whose
 * limits are read again once per refresh interval. A limiter whose limits did not change is kept, with its
 * buckets; when the limits cannot be read the last limiter serves, and a subject with none yet is denied
 * {@code STORE_UNAVAILABLE} (fail closed). Bounded (Caffeine), so that no subject's state lives forever. With a
 * {@link LimiterFactory} (keys-redis), the buckets are the factory's, made for the subject as if it were one key
 * ({@code jwt-sub:<sub>}, tenant and owner the token's), so that a fleet shares them. Thread-safe.
 */
final class SubjectLimits {
    static final String UNAVAILABLE = "rate limits of the token's subject unavailable";

    /** The limiter of one subject and when its limits were last read. */
    private record Loaded(RateLimiter limiter, long loadedAtNanos) {
    }

    private final Function<String, List<RateLimit>> bySubject;
    private final LimiterFactory factory;
    private final long refreshNanos;
    private final Cache<String, Loaded> limiters;

    private SubjectLimits(JwtVerifier.Builder b) {
        this.bySubject = b.limitsBySubject;
        this.factory = b.limiterFactory;
        this.refreshNanos = b.limitsRefresh.toNanos();
        this.limiters = Caffeine.newBuilder().maximumSize(b.limitersSize).build();
    }

    /** The limits a builder configures, if any. */
    static Optional<SubjectLimits> of(JwtVerifier.Builder b) {
        return b.limitsBySubject == null ? Optional.empty() : Optional.of(new SubjectLimits(b));
    }

    /**
     * Takes {@code ctx.cost()} tokens from the buckets of an authorized token's subject: the token's valid answer
     * (with the buckets' state), or {@code RATE_LIMITED}.
     */
    Verification admit(VerifiedToken t, RequestContext ctx, long now) {
        RateLimiter limiter = limiter(t.key(), now);
        if (limiter == null) return new Verification.Denied(Outcome.STORE_UNAVAILABLE, UNAVAILABLE, t.key());
        LimitResult r = limiter.tryConsume(ctx.cost(), now);
        if (!r.admitted()) return new Verification.Denied(Outcome.RATE_LIMITED, r.detail(), Optional.of(t.key()), r);
        return r == LimitResult.UNLIMITED ? t.valid() : new Verification.Valid(t.key(), r);
    }

    /** The subject's limiter, read again when the interval is over; null when it has none and none can be read. */
    private RateLimiter limiter(ApiKey token, long now) {
        String subject = token.ownerId();
        Loaded s = limiters.getIfPresent(subject);
        if (s != null && now - s.loadedAtNanos < refreshNanos) return s.limiter;
        Loaded fresh = limiters.asMap().compute(subject, (k, current) -> {
            if (current != null && now - current.loadedAtNanos < refreshNanos) return current; // another thread refreshed
            List<RateLimit> limits;
            try {
                limits = bySubject.apply(k);
            } catch (RuntimeException ex) {
                return current;
            }
            if (limits == null) return current;
            RateLimiter l = current != null && current.limiter.sameLimits(limits) ? current.limiter
                    : factory == null ? RateLimiter.of(limits) : factory.create(token.toBuilder().id("jwt-sub:" + k).build(), limits);
            return new Loaded(l, now);
        });
        return fresh == null ? null : fresh.limiter;
    }
}
