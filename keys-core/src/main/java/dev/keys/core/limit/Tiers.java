package dev.keys.core.limit;

import dev.keys.api.ApiKey;
import dev.keys.api.Quota;
import dev.keys.api.RateLimit;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Named sets of default limits ({@code free}, {@code pro}, ...) from configuration. A key's own rate limits, when it
 * has any, replace its tier's; its own quota, when present, replaces the tier's quota. A key with no tier, or with a
 * tier that is not configured, gets the {@linkplain Builder#defaultTier default tier} when one is set, else no tier
 * limits. Immutable and thread-safe.
 */
public final class Tiers {

    /** No tiers: every key has exactly its own limits. */
    public static final Tiers NONE = new Tiers(Map.of(), Optional.empty());

    /** One tier's defaults. */
    public record Tier(String name, List<RateLimit> ratelimits, Optional<Quota> quota) {
        public Tier {
            Objects.requireNonNull(name, "name");
            ratelimits = List.copyOf(ratelimits);
            Objects.requireNonNull(quota, "quota");
            if (name.isBlank()) throw new IllegalArgumentException("tier name must not be blank");
            Set<String> names = new HashSet<>();
            for (RateLimit l : ratelimits) {
                if (!names.add(l.name())) throw new IllegalArgumentException("tier '" + name + "': rate limit name '" + l.name() + "' is used twice");
            }
        }
    }

    private final Map<String, Tier> tiers;
    private final Optional<Tier> fallback;

    private Tiers(Map<String, Tier> tiers, Optional<Tier> fallback) {
        this.tiers = tiers;
        this.fallback = fallback;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The configured tier of this name. */
    public Optional<Tier> tier(String name) {
        return Optional.ofNullable(tiers.get(name));
    }

    /** The tier that applies to {@code key}: its own when configured, else the default tier, if any. */
    public Optional<Tier> tierOf(ApiKey key) {
        Tier t = key.tier().map(tiers::get).orElse(null);
        return t != null ? Optional.of(t) : fallback;
    }

    /** The limits that apply to {@code key}: its own, else its tier's, separately for rate limits and quota. */
    public EffectiveLimits effective(ApiKey key) {
        Optional<Tier> tier = tierOf(key);
        List<RateLimit> ratelimits = !key.ratelimits().isEmpty() ? key.ratelimits() : tier.map(Tier::ratelimits).orElse(List.of());
        Optional<Quota> quota = key.quota().isPresent() ? key.quota() : tier.flatMap(Tier::quota);
        return new EffectiveLimits(ratelimits, quota);
    }

    @Override
    public String toString() {
        return "Tiers" + tiers.values() + fallback.map(t -> ", default " + t.name()).orElse("");
    }

    /** A mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final Map<String, Tier> tiers = new LinkedHashMap<>();
        private String defaultTier;

        private Builder() {
        }

        /** Adds a tier; a name may be given once. */
        public Builder tier(String name, List<RateLimit> ratelimits, Optional<Quota> quota) {
            Tier t = new Tier(name, ratelimits, quota);
            if (tiers.putIfAbsent(name, t) != null) throw new IllegalArgumentException("tier '" + name + "' is configured twice");
            return this;
        }

        /** The tier of keys without a tier or with one that is not configured; it must be configured. */
        public Builder defaultTier(String name) {
            defaultTier = Objects.requireNonNull(name, "name");
            return this;
        }

        public Tiers build() {
            if (defaultTier != null && !tiers.containsKey(defaultTier)) {
                throw new IllegalArgumentException("default tier '" + defaultTier + "' is not configured");
            }
            return new Tiers(Map.copyOf(tiers), Optional.ofNullable(defaultTier).map(tiers::get));
        }
    }
}
