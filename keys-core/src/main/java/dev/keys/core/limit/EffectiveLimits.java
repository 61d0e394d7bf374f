package dev.keys.core.limit;

import dev.keys.api.Quota;
import dev.keys.api.RateLimit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The rate limits and quota that apply to a key once its tier is taken into account ({@link Tiers#effective}). */
public record EffectiveLimits(List<RateLimit> ratelimits, Optional<Quota> quota) {
    public static final EffectiveLimits NONE = new EffectiveLimits(List.of(), Optional.empty());

    public EffectiveLimits {
        ratelimits = List.copyOf(ratelimits);
        Objects.requireNonNull(quota, "quota");
    }
}
