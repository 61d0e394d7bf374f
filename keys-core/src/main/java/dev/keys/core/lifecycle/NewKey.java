package dev.keys.core.lifecycle;

import dev.keys.api.Environment;
import dev.keys.api.JsonValue;
import dev.keys.api.Quota;
import dev.keys.api.RateLimit;
import dev.keys.api.Refill;
import dev.keys.core.format.KeyFormat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** What to issue: every field of a key that its creator chooses. Build with {@link #builder(String)}. */
public record NewKey(String prefix, String name, String ownerId, String tenant, Environment environment, Set<String> roles,
                     Set<String> permissions, Map<String, JsonValue> meta, List<RateLimit> ratelimits, Optional<Quota> quota,
                     OptionalLong remaining, Optional<Refill> refill, List<String> ipAllowlist, Optional<String> tier,
                     Optional<Instant> expiresAt, boolean requiresApproval) {

    public NewKey {
        KeyFormat.requireValidPrefix(prefix);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(environment, "environment");
        roles = Set.copyOf(roles);
        permissions = Set.copyOf(permissions);
        meta = Map.copyOf(meta);
        ratelimits = List.copyOf(ratelimits);
        ipAllowlist = List.copyOf(ipAllowlist);
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(remaining, "remaining");
        Objects.requireNonNull(refill, "refill");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (tenant.isBlank()) throw new IllegalArgumentException("tenant must not be blank");
        TimeInputs.expiresAt(expiresAt);
        TimeInputs.ratelimits(ratelimits);
        TimeInputs.refill(refill);
    }

    public static Builder builder(String prefix) {
        return new Builder(prefix);
    }

    public static final class Builder {
        private final String prefix;
        private String name = "", ownerId = "", tenant = "default";
        private Environment environment = Environment.LIVE;
        private Set<String> roles = Set.of(), permissions = Set.of();
        private Map<String, JsonValue> meta = Map.of();
        private List<RateLimit> ratelimits = List.of();
        private Optional<Quota> quota = Optional.empty();
        private OptionalLong remaining = OptionalLong.empty();
        private Optional<Refill> refill = Optional.empty();
        private List<String> ipAllowlist = List.of();
        private Optional<String> tier = Optional.empty();
        private Optional<Instant> expiresAt = Optional.empty();
        private boolean requiresApproval;

        private Builder(String prefix) {
            this.prefix = prefix;
        }

        public Builder name(String v) { name = v; return this; }
        public Builder ownerId(String v) { ownerId = v; return this; }
        public Builder tenant(String v) { tenant = v; return this; }
        public Builder environment(Environment v) { environment = v; return this; }
        public Builder roles(Set<String> v) { roles = v; return this; }
        public Builder permissions(Set<String> v) { permissions = v; return this; }
        public Builder permissions(String... v) { permissions = Set.of(v); return this; }
        public Builder meta(Map<String, JsonValue> v) { meta = v; return this; }
        public Builder ratelimits(List<RateLimit> v) { ratelimits = v; return this; }
        public Builder ratelimits(RateLimit... v) { ratelimits = List.of(v); return this; }
        public Builder quota(Quota v) { quota = Optional.of(v); return this; }
        public Builder quota(Optional<Quota> v) { quota = v; return this; }
        public Builder remaining(long v) { remaining = OptionalLong.of(v); return this; }
        public Builder remaining(OptionalLong v) { remaining = v; return this; }
        public Builder refill(Refill v) { refill = Optional.of(v); return this; }
        public Builder refill(Optional<Refill> v) { refill = v; return this; }
        public Builder ipAllowlist(List<String> v) { ipAllowlist = v; return this; }
        public Builder tier(String v) { tier = Optional.of(v); return this; }
        public Builder tier(Optional<String> v) { tier = v; return this; }
        public Builder expiresAt(Instant v) { expiresAt = Optional.of(v); return this; }
        public Builder expiresAt(Optional<Instant> v) { expiresAt = v; return this; }
        public Builder requiresApproval(boolean v) { requiresApproval = v; return this; }

        public NewKey build() {
            return new NewKey(prefix, name, ownerId, tenant, environment, roles, permissions, meta, ratelimits, quota,
                    remaining, refill, ipAllowlist, tier, expiresAt, requiresApproval);
        }
    }
}
