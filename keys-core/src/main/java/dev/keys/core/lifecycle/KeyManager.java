package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.AuditSink;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.StoreException;
import dev.keys.api.UsageCounters;
import dev.keys.core.limit.QuotaEnforcer;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;

import java.lang.reflect.RecordComponent;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The lifecycle of keys: issue, import, change, disable, revoke, rotate, approve. Every write goes to the store,
 * then to the listener (a {@code Verifier} of this process, so that the change holds from its next request), then
 * to the audit sink. Actors are the key ids of admin callers, or {@value #SYSTEM}.
 */
public final class KeyManager {
    public static final String SYSTEM = "system";
    /** Imported keys must be estimated at this many bits of entropy at least (DESIGN.md §2). */
    public static final double MIN_IMPORTED_ENTROPY_BITS = 128;
    private static final int RETRIES = 5;
    private static final System.Logger LOG = System.getLogger(KeyManager.class.getName());
    private static final Set<String> UNAUDITED = Set.of("digest", "version", "updatedAt");

    private final KeyStore store;
    private final KeyHasher hasher;
    private final Clock clock;
    private final AuditSink audit;
    private final Consumer<Digest> listener;
    private final KeyFormat format;
    private final UsageCounters counters;

    private KeyManager(Builder b) {
        this.store = b.store;
        this.hasher = b.hasher;
        this.clock = b.clock;
        this.audit = b.audit;
        this.listener = b.listener;
        this.format = new KeyFormat(b.random);
        this.counters = b.counters;
    }

    public static Builder builder(KeyStore store) {
        return new Builder(store);
    }

    /** Issues a new key. The answer holds the plaintext, the only time it exists. */
    public IssuedKey create(NewKey request, String actor) {
        String plaintext = format.generate(request.prefix());
        ApiKey key = store.create(fromRequest(request, plaintext, KeyFormat.start(plaintext)));
        written(key, "create", actor, Optional.empty(), diff(null, key));
        return new IssuedKey(key, plaintext);
    }

    /**
     * Imports a key issued by another system (migration). It may have any format of 16 to 256 printable ASCII
     * characters; keys estimated below {@value #MIN_IMPORTED_ENTROPY_BITS} bits are refused. The verifier must be
     * built with {@code acceptImportedKeys(true)} unless the key happens to be of this library's format.
     *
     * @throws IllegalArgumentException when the key is refused, saying why (never repeating the key)
     */
    public ApiKey importKey(String plaintext, NewKey request, String actor) {
        Objects.requireNonNull(plaintext, "plaintext");
        int n = plaintext.length();
        if (n < KeyFormat.MIN_IMPORTED_LENGTH || n > KeyFormat.MAX_IMPORTED_LENGTH) {
            throw new IllegalArgumentException("an imported key must be 16 to 256 characters long");
        }
        for (int i = 0; i < n; i++) {
            char c = plaintext.charAt(i);
            if (c < 0x21 || c > 0x7e) throw new IllegalArgumentException("an imported key must be printable ASCII without spaces");
        }
        if (KeyFormat.estimateEntropyBits(plaintext) < MIN_IMPORTED_ENTROPY_BITS) {
            throw new IllegalArgumentException("the imported key is too guessable (estimated below 128 bits of entropy)");
        }
        String start = plaintext.substring(0, 4);
        if (KeyFormat.isWellFormed(plaintext)) start = KeyFormat.start(plaintext);
        ApiKey key = store.create(fromRequest(request, plaintext, start));
        written(key, "import", actor, Optional.empty(), diff(null, key));
        return key;
    }

    private ApiKey fromRequest(NewKey r, String plaintext, String start) {
        Instant now = clock.instant();
        return ApiKey.builder()
                .id("key_" + format.randomBase62(22))
                .tenant(r.tenant()).ownerId(r.ownerId()).name(r.name()).prefix(r.prefix()).start(start)
                .digest(hasher.digest(plaintext))
                .environment(r.environment())
                .status(r.requiresApproval() ? KeyStatus.PENDING_APPROVAL : KeyStatus.ACTIVE)
                .roles(r.roles()).permissions(r.permissions()).meta(r.meta()).ratelimits(r.ratelimits())
                .quota(r.quota()).remaining(r.remaining()).refill(r.refill()).ipAllowlist(r.ipAllowlist()).tier(r.tier())
                .createdAt(now).updatedAt(now).expiresAt(r.expiresAt())
                .build();
    }

    public Optional<ApiKey> get(String id) {
        return store.findById(id);
    }

    public Page<ApiKey> list(KeyQuery query) {
        return store.list(query);
    }

    /**
     * Changes a key's mutable fields. The change is a function of the current state, applied again on a fresh read
     * when another writer got in first, so that concurrent changes of different fields both hold.
     *
     * @throws StoreException.NotFound  when there is no such key
     * @throws IllegalArgumentException when the change touches an immutable field (id, digest, prefix, start,
     *                                  created time, status) or the key is revoked
     * @throws StoreException.Conflict  when the key kept changing under us
     */
    public ApiKey update(String id, UnaryOperator<ApiKey.Builder> change, String actor) {
        ApiKey before = store.findById(id).orElseThrow(() -> new StoreException.NotFound("no key with id " + id));
        ApiKey after = write(id, "update", actor, Optional.empty(), current -> {
            if (current.status() == KeyStatus.REVOKED) throw new IllegalArgumentException("a revoked key cannot be changed");
            ApiKey next = change.apply(current.toBuilder()).build();
            if (!next.id().equals(current.id()) || !next.digest().equals(current.digest()) || !next.prefix().equals(current.prefix())
                    || !next.start().equals(current.start()) || !next.createdAt().equals(current.createdAt())) {
                throw new IllegalArgumentException("id, prefix, start and createdAt cannot be changed");
            }
            if (next.status() != current.status()) throw new IllegalArgumentException("status changes through disable, enable, revoke, approve or reject");
            return next;
        });
        // Remaining uses set anew start counting from zero (with a refill, each interval counts on its own).
        if (after.remaining().isPresent() && !after.remaining().equals(before.remaining()) && after.refill().isEmpty()) {
            counters.set(id, QuotaEnforcer.USES, 0, 0);
        }
        return after;
    }

    public ApiKey disable(String id, String actor, Optional<String> reason) {
        return transition(id, "disable", actor, reason, Set.of(KeyStatus.ACTIVE, KeyStatus.DISABLED), KeyStatus.DISABLED);
    }

    public ApiKey enable(String id, String actor) {
        return transition(id, "enable", actor, Optional.empty(), Set.of(KeyStatus.DISABLED, KeyStatus.ACTIVE), KeyStatus.ACTIVE);
    }

    /** Revokes for good: the key fails from the next request in this process. Revoking twice is harmless. */
    public ApiKey revoke(String id, String actor, Optional<String> reason) {
        return transition(id, "revoke", actor, reason, Set.of(KeyStatus.values()), KeyStatus.REVOKED);
    }

    public ApiKey approve(String id, String actor) {
        return approve(id, actor, Optional.empty());
    }

    /** Approves a pending (or rejected) key, the reason recorded in the audit entry. */
    public ApiKey approve(String id, String actor, Optional<String> reason) {
        return transition(id, "approve", actor, reason, Set.of(KeyStatus.PENDING_APPROVAL, KeyStatus.REJECTED, KeyStatus.ACTIVE), KeyStatus.ACTIVE);
    }

    public ApiKey reject(String id, String actor, Optional<String> reason) {
        return transition(id, "reject", actor, reason, Set.of(KeyStatus.PENDING_APPROVAL, KeyStatus.REJECTED), KeyStatus.REJECTED);
    }

    private ApiKey transition(String id, String action, String actor, Optional<String> reason, Set<KeyStatus> from, KeyStatus to) {
        return write(id, action, actor, reason, current -> {
            if (!from.contains(current.status())) {
                throw new IllegalStateException("cannot " + action + " a key that is " + current.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
            }
            return current.toBuilder().status(to).build();
        });
    }

    /**
     * Replaces a key with a new one that copies its owner, permissions, limits and meta. The old key keeps working
     * for {@code gracePeriod} (never longer than its own expiry), then answers {@code EXPIRED}.
     */
    public IssuedKey rotate(String id, Duration gracePeriod, String actor) {
        if (gracePeriod.isNegative()) throw new IllegalArgumentException("gracePeriod must not be negative");
        ApiKey old = store.findById(id).orElseThrow(() -> new StoreException.NotFound("no key with id " + id));
        if (old.status() == KeyStatus.REVOKED) throw new IllegalStateException("cannot rotate a revoked key");
        String plaintext = format.generate(old.prefix());
        Instant now = clock.instant();
        ApiKey fresh = store.create(old.toBuilder()
                .id("key_" + format.randomBase62(22))
                .start(KeyFormat.start(plaintext))
                .digest(hasher.digest(plaintext))
                .createdAt(now).updatedAt(now)
                .rotatedTo(Optional.empty())
                .version(0)
                .build());
        written(fresh, "create", actor, Optional.of("rotation of " + id), diff(null, fresh));
        Instant graceEnd = now.plus(gracePeriod);
        write(id, "rotate", actor, Optional.of("replaced by " + fresh.id()), current -> {
            Instant end = current.expiresAt().filter(e -> e.isBefore(graceEnd)).orElse(graceEnd);
            return current.toBuilder().expiresAt(Optional.of(end)).rotatedTo(Optional.of(fresh.id())).build();
        });
        return new IssuedKey(fresh, plaintext);
    }

    private ApiKey write(String id, String action, String actor, Optional<String> reason, UnaryOperator<ApiKey> change) {
        for (int attempt = 1; ; attempt++) {
            ApiKey current = store.findById(id).orElseThrow(() -> new StoreException.NotFound("no key with id " + id));
            ApiKey next = change.apply(current).toBuilder().updatedAt(clock.instant()).version(current.version()).build();
            try {
                ApiKey stored = store.update(next);
                written(stored, action, actor, reason, diff(current, stored));
                return stored;
            } catch (StoreException.Conflict e) {
                if (attempt == RETRIES) throw e;
            }
        }
    }

    private void written(ApiKey key, String action, String actor, Optional<String> reason, Map<String, List<String>> changes) {
        listener.accept(key.digest());
        try {
            audit.record(new AuditEvent(clock.instant(), action, actor, key.tenant(), key.id(), reason, changes));
        } catch (RuntimeException e) {
            // The change is committed: failing the call now would make a caller retry a change that holds. The
            // lost event is reported loudly instead (never with a key or digest: the event holds neither).
            LOG.log(System.Logger.Level.ERROR, "audit event lost: " + action + " of " + key.id() + " by " + actor + ": " + e.getMessage());
        }
    }

    /** Field name to [before, after] for every field that differs; never the digest. */
    static Map<String, List<String>> diff(ApiKey before, ApiKey after) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (RecordComponent c : ApiKey.class.getRecordComponents()) {
            if (UNAUDITED.contains(c.getName())) continue;
            String a = before == null ? "" : display(c, before);
            String b = display(c, after);
            if (before == null ? !isEmpty(b) : !a.equals(b)) {
                List<String> pair = new ArrayList<>(2);
                pair.add(a);
                pair.add(b);
                out.put(c.getName(), List.copyOf(pair));
            }
        }
        return out;
    }

    private static boolean isEmpty(String s) {
        return s.isEmpty() || s.equals("[]") || s.equals("{}") || s.equals("Optional.empty") || s.equals("OptionalLong.empty");
    }

    private static String display(RecordComponent c, ApiKey k) {
        try {
            Object v = c.getAccessor().invoke(k);
            if (v instanceof Optional<?> o) return o.map(String::valueOf).orElse("");
            if (v instanceof java.util.OptionalLong o) return o.isPresent() ? Long.toString(o.getAsLong()) : "";
            if (v instanceof Set<?> s) return String.valueOf(new java.util.TreeSet<>(s.stream().map(String::valueOf).toList()));
            if (v instanceof Map<?, ?> m) return String.valueOf(new java.util.TreeMap<>(m));
            return String.valueOf(v);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Configuration of a {@link KeyManager}. */
    public static final class Builder {
        private final KeyStore store;
        private KeyHasher hasher = KeyHasher.sha256();
        private Clock clock = Clock.system();
        private AuditSink audit = AuditSink.NONE;
        private Consumer<Digest> listener = d -> { };
        private SecureRandom random = new SecureRandom();
        private UsageCounters counters = new dev.keys.core.store.InMemoryUsageCounters();

        private Builder(KeyStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Must be the verifier's hasher. Default SHA-256. */
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }
        public Builder audit(AuditSink a) { audit = Objects.requireNonNull(a); return this; }
        /** Told the digest of every key written, after the write: wire a verifier's {@code refresh} here. */
        public Builder listener(Consumer<Digest> l) { listener = Objects.requireNonNull(l); return this; }
        public Builder random(SecureRandom r) { random = Objects.requireNonNull(r); return this; }
        /** The verifier's usage counters, so that setting {@code remaining} anew resets the uses counted. */
        public Builder usageCounters(UsageCounters c) { counters = Objects.requireNonNull(c); return this; }

        public KeyManager build() {
            return new KeyManager(this);
        }
    }
}
