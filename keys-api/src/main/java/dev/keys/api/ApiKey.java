package dev.keys.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A stored key: everything but the plaintext, which exists only once, in the answer to create or rotate.
 * Immutable; a change is a new instance with a higher {@code version}. {@link #toString()} leaves out the digest.
 *
 * @param id          stable identifier, shown to admins and in audit entries
 * @param tenant      the tenant the key belongs to
 * @param ownerId     the consumer the key was issued to
 * @param prefix      the key's prefix, e.g. {@code sk_live}
 * @param start       the first 4 characters of the secret, for display
 * @param remaining   uses left, when the key is limited in uses
 * @param meta        the key's own data, any JSON values by name ({@link JsonValue}; strings only before 0.2)
 * @param tier        a configured tier name whose limits apply unless the key sets its own
 * @param rotatedTo   the id of the key that replaced this one by rotation
 * @param createdBy   the actor that created, imported or rotated in the key (its audit actor), so that it cannot
 *                    approve the key itself; empty for keys stored before this field existed
 * @param adminHold   a {@code keys:admin} caller disabled or rejected the key, so only such a caller enables or
 *                    approves it again (separation of duties, docs/contract.md §5)
 * @param version     optimistic version, incremented by every update
 */
public record ApiKey(
        String id,
        String tenant,
        String ownerId,
        String name,
        String prefix,
        String start,
        Digest digest,
        Environment environment,
        KeyStatus status,
        Set<String> roles,
        Set<String> permissions,
        Map<String, JsonValue> meta,
        List<RateLimit> ratelimits,
        Optional<Quota> quota,
        OptionalLong remaining,
        Optional<Refill> refill,
        List<String> ipAllowlist,
        Optional<String> tier,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> expiresAt,
        Optional<String> rotatedTo,
        String createdBy,
        boolean adminHold,
        long version) {

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        roles = Set.copyOf(roles);
        permissions = Set.copyOf(permissions);
        meta = Map.copyOf(meta);
        // The meta object and its values, at most MAX_DEPTH levels: what every store can write and read back.
        for (JsonValue v : meta.values()) {
            if (v.depth() >= JsonValue.MAX_DEPTH) throw new IllegalArgumentException("meta: must nest at most " + JsonValue.MAX_DEPTH + " levels deep");
        }
        ratelimits = List.copyOf(ratelimits);
        ipAllowlist = List.copyOf(ipAllowlist);
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(remaining, "remaining");
        Objects.requireNonNull(refill, "refill");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(rotatedTo, "rotatedTo");
        Objects.requireNonNull(createdBy, "createdBy");
        if (remaining.isPresent() && remaining.getAsLong() < 0) throw new IllegalArgumentException("remaining must not be negative");
        if (refill.isPresent() && remaining.isEmpty()) throw new IllegalArgumentException("refill needs remaining");
        for (int i = 0; i < ratelimits.size(); i++) {
            for (int j = i + 1; j < ratelimits.size(); j++) {
                if (ratelimits.get(i).name().equals(ratelimits.get(j).name()))
                    throw new IllegalArgumentException("rate limit name '" + ratelimits.get(i).name() + "' is used twice");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public String toString() {
        return "ApiKey[id=" + id + ", tenant=" + tenant + ", ownerId=" + ownerId + ", name=" + name + ", prefix=" + prefix
                + ", start=" + start + ", environment=" + environment + ", status=" + status + ", roles=" + roles
                + ", permissions=" + permissions + ", ratelimits=" + ratelimits + ", quota=" + quota + ", remaining=" + remaining
                + ", expiresAt=" + expiresAt + ", version=" + version + "]";
    }

    /** A mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String id, tenant = "default", ownerId = "", name = "", prefix, start;
        private Digest digest;
        private Environment environment = Environment.LIVE;
        private KeyStatus status = KeyStatus.ACTIVE;
        private Set<String> roles = new LinkedHashSet<>(), permissions = new LinkedHashSet<>();
        private Map<String, JsonValue> meta = new LinkedHashMap<>();
        private List<RateLimit> ratelimits = new ArrayList<>();
        private Optional<Quota> quota = Optional.empty();
        private OptionalLong remaining = OptionalLong.empty();
        private Optional<Refill> refill = Optional.empty();
        private List<String> ipAllowlist = new ArrayList<>();
        private Optional<String> tier = Optional.empty();
        private Instant createdAt, updatedAt;
        private Optional<Instant> expiresAt = Optional.empty();
        private Optional<String> rotatedTo = Optional.empty();
        private String createdBy = "";
        private boolean adminHold;
        private long version;

        private Builder() {
        }

        private Builder(ApiKey k) {
            id = k.id; tenant = k.tenant; ownerId = k.ownerId; name = k.name; prefix = k.prefix; start = k.start;
            digest = k.digest; environment = k.environment; status = k.status;
            roles = new LinkedHashSet<>(k.roles); permissions = new LinkedHashSet<>(k.permissions);
            meta = new LinkedHashMap<>(k.meta); ratelimits = new ArrayList<>(k.ratelimits);
            quota = k.quota; remaining = k.remaining; refill = k.refill;
            ipAllowlist = new ArrayList<>(k.ipAllowlist); tier = k.tier;
            createdAt = k.createdAt; updatedAt = k.updatedAt; expiresAt = k.expiresAt; rotatedTo = k.rotatedTo; version = k.version;
            createdBy = k.createdBy; adminHold = k.adminHold;
        }

        public Builder id(String v) { id = v; return this; }
        public Builder tenant(String v) { tenant = v; return this; }
        public Builder ownerId(String v) { ownerId = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder prefix(String v) { prefix = v; return this; }
        public Builder start(String v) { start = v; return this; }
        public Builder digest(Digest v) { digest = v; return this; }
        public Builder environment(Environment v) { environment = v; return this; }
        public Builder status(KeyStatus v) { status = v; return this; }
        public Builder roles(Set<String> v) { roles = new LinkedHashSet<>(v); return this; }
        public Builder permissions(Set<String> v) { permissions = new LinkedHashSet<>(v); return this; }
        public Builder meta(Map<String, JsonValue> v) { meta = new LinkedHashMap<>(v); return this; }
        public Builder ratelimits(List<RateLimit> v) { ratelimits = new ArrayList<>(v); return this; }
        public Builder quota(Optional<Quota> v) { quota = v; return this; }
        public Builder remaining(OptionalLong v) { remaining = v; return this; }
        public Builder refill(Optional<Refill> v) { refill = v; return this; }
        public Builder ipAllowlist(List<String> v) { ipAllowlist = new ArrayList<>(v); return this; }
        public Builder tier(Optional<String> v) { tier = v; return this; }
        public Builder createdAt(Instant v) { createdAt = v; return this; }
        public Builder updatedAt(Instant v) { updatedAt = v; return this; }
        public Builder expiresAt(Optional<Instant> v) { expiresAt = v; return this; }
        public Builder rotatedTo(Optional<String> v) { rotatedTo = v; return this; }
        public Builder createdBy(String v) { createdBy = v; return this; }
        public Builder adminHold(boolean v) { adminHold = v; return this; }
        public Builder version(long v) { version = v; return this; }

        public ApiKey build() {
            return new ApiKey(id, tenant, ownerId, name, prefix, start, digest, environment, status, roles, permissions, meta,
                    ratelimits, quota, remaining, refill, ipAllowlist, tier, createdAt, updatedAt, expiresAt, rotatedTo,
                    createdBy, adminHold, version);
        }
    }
}
