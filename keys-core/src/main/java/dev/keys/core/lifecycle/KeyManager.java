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
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.limit.QuotaEnforcer;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The lifecycle of keys: issue, import, change, disable, revoke, rotate, approve. Every call is made by an
 * {@link Actor} and held to the {@link AdminPolicy} (tenant scoping, the grant limit); the {@code String} actor
 * overloads act as a system actor of that name. Every write is one read of the key, the change applied to it, and
 * one write with its optimistic version (a conflict re-reads and applies the change again); then the written state
 * goes to the listener (a {@code Verifier} of this process, so that the change holds from its next request) and an
 * event with the field diff to the audit sink.
 */
public final class KeyManager {
    public static final String SYSTEM = "system";
    /** Imported keys must be estimated at this many bits of entropy at least (docs/contract.md §2). */
    public static final double MIN_IMPORTED_ENTROPY_BITS = 128;
    private static final int RETRIES = 5;
    private static final System.Logger LOG = System.getLogger(KeyManager.class.getName());
    /** The separation-of-duty fields are not audited on their own: the event's actor and action say the same. */
    static final Set<String> UNAUDITED = Set.of("digest", "version", "updatedAt", "createdBy", "adminHold");

    final KeyStore store;
    private final KeyHasher hasher;
    final Clock clock;
    final AuditSink audit;
    private final Consumer<ApiKey> written;
    private final Consumer<Digest> erased;
    final Runnable sha256Imported;
    private final KeyFormat format;
    final UsageCounters counters;
    final AdminPolicy policy;

    private KeyManager(Builder b) {
        this.store = b.store;
        this.hasher = b.hasher;
        this.clock = b.clock;
        this.audit = b.audit;
        this.written = b.written;
        this.erased = b.erased;
        this.sha256Imported = b.sha256Imported;
        this.format = new KeyFormat(b.random);
        this.counters = b.counters;
        this.policy = b.policy;
    }

    private KeyManager(KeyManager m, AdminPolicy policy) {
        this.store = m.store;
        this.hasher = m.hasher;
        this.clock = m.clock;
        this.audit = m.audit;
        this.written = m.written;
        this.erased = m.erased;
        this.sha256Imported = m.sha256Imported;
        this.format = m.format;
        this.counters = m.counters;
        this.policy = policy;
    }

    public static Builder builder(KeyStore store) {
        return new Builder(store);
    }

    /** This manager under another policy (the admin API's, with its roles); store, listener and audit are shared. */
    public KeyManager withPolicy(AdminPolicy p) {
        return p == policy ? this : new KeyManager(this, Objects.requireNonNull(p, "policy"));
    }

    public AdminPolicy policy() {
        return policy;
    }

    /** Issues a new key as a system actor. */
    public IssuedKey create(NewKey request, String actor) {
        return create(request, Actor.system(actor));
    }

    /**
     * Issues a new key. The answer holds the plaintext, the only time it exists.
     *
     * @throws AdminPolicy.Refused when the actor may not create it (another tenant, or a grant of {@code keys:admin})
     */
    public IssuedKey create(NewKey request, Actor actor) {
        policy.checkCreate(actor, request);
        String plaintext = format.generate(request.prefix());
        ApiKey key = store.create(fromRequest(request, plaintext, KeyFormat.start(plaintext), actor));
        written(key, "create", actor, Optional.empty(), Audits.diff(ApiKey.class, null, key, UNAUDITED));
        return new IssuedKey(key, plaintext);
    }

    /** Imports a key as a system actor; see {@link #importKey(String, NewKey, Actor)}. */
    public ApiKey importKey(String plaintext, NewKey request, String actor) {
        return importKey(plaintext, request, Actor.system(actor));
    }

    /**
     * Imports a key issued by another system (migration). It may have any format of 16 to 256 printable ASCII
     * characters; keys estimated below {@value #MIN_IMPORTED_ENTROPY_BITS} bits are refused. The verifier must be
     * built with {@code acceptImportedKeys(true)} unless the key happens to be of this library's format.
     *
     * @throws IllegalArgumentException when the key is refused, saying why (never repeating the key)
     */
    public ApiKey importKey(String plaintext, NewKey request, Actor actor) {
        Imports.check(plaintext);
        policy.checkCreate(actor, request);
        ApiKey key = store.create(fromRequest(request, plaintext, Imports.start(plaintext), actor));
        written(key, "import", actor, Optional.empty(), Audits.diff(ApiKey.class, null, key, UNAUDITED));
        return key;
    }

    /**
     * Imports a key of a batch (docs/contract.md §5, {@code POST /keys/import}), idempotent by {@code externalId}:
     * the key's id is derived from its tenant and external id, so that importing it again finds it. Answers the key,
     * or empty when this tenant's external id was imported before; refuses as {@link #importKey(String, NewKey, Actor)},
     * and with {@code StoreException.Duplicate} when a key of the same digest exists under another external id.
     */
    public Optional<ApiKey> importKey(String plaintext, NewKey request, String externalId, Actor actor) {
        Imports.check(plaintext);
        return Imports.item(this, request, externalId, hasher.digest(plaintext), Imports.start(plaintext), actor, false);
    }

    /**
     * Imports a key known only by the SHA-256 of its plaintext (the migration path from systems that keep no
     * plaintext), idempotent by {@code externalId}. The stored digest is that SHA-256: where this service hashes
     * with a pepper, its verifier finds such keys by a second lookup ({@code Verifier.Builder.acceptSha256Imports},
     * turned on here for the verifier of the same {@code Keys}). Its {@code start} is unknown: {@code ????}.
     */
    public Optional<ApiKey> importSha256(Digest sha256, NewKey request, String externalId, Actor actor) {
        Objects.requireNonNull(sha256, "sha256");
        return Imports.item(this, request, externalId, sha256, "????", actor, true);
    }

    private ApiKey fromRequest(NewKey r, String plaintext, String start, Actor actor) {
        return fromRequest(r, hasher.digest(plaintext), start, actor);
    }

    ApiKey fromRequest(NewKey r, Digest digest, String start, Actor actor) {
        Instant now = clock.instant();
        return ApiKey.builder()
                .id("key_" + format.randomBase62(22))
                .tenant(r.tenant()).ownerId(r.ownerId()).name(r.name()).prefix(r.prefix()).start(start)
                .digest(digest)
                .environment(r.environment())
                .status(r.requiresApproval() ? KeyStatus.PENDING_APPROVAL : KeyStatus.ACTIVE)
                .roles(r.roles()).permissions(r.permissions()).meta(r.meta()).ratelimits(r.ratelimits())
                .quota(r.quota()).remaining(r.remaining()).refill(r.refill()).ipAllowlist(r.ipAllowlist()).tier(r.tier())
                .createdAt(now).updatedAt(now).expiresAt(r.expiresAt())
                .createdBy(actor.id())
                .build();
    }

    public Optional<ApiKey> get(String id) {
        return store.findById(id);
    }

    /**
     * The key, if there is one within the actor's reach.
     *
     * @throws AdminPolicy.Refused when the actor may not read keys
     */
    public Optional<ApiKey> get(String id, Actor actor) {
        policy.requireKeyReading(actor);
        return store.findById(id).filter(k -> actor.reaches(k.tenant(), k.ownerId()));
    }

    public Page<ApiKey> list(KeyQuery query) {
        return store.list(query);
    }

    /**
     * One page of the keys within the actor's reach: a manager's listing covers its own tenant.
     *
     * @throws AdminPolicy.Refused     when the actor may not read keys
     * @throws StoreException.NotFound when a manager asks for another tenant
     */
    public Page<ApiKey> list(KeyQuery query, Actor actor) {
        return store.list(policy.scope(actor, query));
    }

    /** Changes a key as a system actor; see {@link #update(String, UnaryOperator, Actor)}. */
    public ApiKey update(String id, UnaryOperator<ApiKey.Builder> change, String actor) {
        return update(id, change, Actor.system(actor));
    }

    /**
     * Changes a key's mutable fields. The change is a function of the current state, applied again on a fresh read
     * when another writer got in first, so that concurrent changes of different fields both hold. A change may
     * refuse by throwing; nothing is written then.
     *
     * @throws StoreException.NotFound  when there is no such key within the actor's reach
     * @throws IllegalArgumentException when the change touches an immutable field (id, digest, prefix, start,
     *                                  created time, status) or the key is revoked
     * @throws AdminPolicy.Refused      when a manager changes a key holding {@code keys:admin} or grants it
     * @throws StoreException.Conflict  when the key kept changing under us
     */
    public ApiKey update(String id, UnaryOperator<ApiKey.Builder> change, Actor actor) {
        Write w = write(id, "update", actor, Optional.empty(), current -> {
            ApiKey next = change.apply(current.toBuilder()).build();
            // A refusal of the change itself or of its grant comes first, as the admin API has always answered.
            policy.checkGrant(actor, current.tenant(), current.id(), current.roles(), current.permissions(), next.roles(), next.permissions());
            if (current.status() == KeyStatus.REVOKED) throw new IllegalArgumentException("a revoked key cannot be changed");
            if (!next.id().equals(current.id()) || !next.digest().equals(current.digest()) || !next.prefix().equals(current.prefix())
                    || !next.start().equals(current.start()) || !next.createdAt().equals(current.createdAt())) {
                throw new IllegalArgumentException("id, prefix, start and createdAt cannot be changed");
            }
            if (next.status() != current.status()) throw new IllegalArgumentException("status changes through disable, enable, revoke, approve or reject");
            TimeInputs.changed(current, next);
            return next;
        });
        // Remaining uses set anew start counting from zero (with a refill, each interval counts on its own).
        ApiKey after = w.after;
        if (after.remaining().isPresent() && !after.remaining().equals(w.before.remaining()) && after.refill().isEmpty()) {
            counters.set(id, QuotaEnforcer.USES, 0, 0);
        }
        return after;
    }

    public ApiKey disable(String id, String actor, Optional<String> reason) {
        return disable(id, Actor.system(actor), reason);
    }

    /** Disables a key; disabled by an admin, only an admin enables it again. */
    public ApiKey disable(String id, Actor actor, Optional<String> reason) {
        return transition(id, "disable", actor, reason, Set.of(KeyStatus.ACTIVE, KeyStatus.DISABLED), KeyStatus.DISABLED);
    }

    public ApiKey enable(String id, String actor) {
        return enable(id, Actor.system(actor));
    }

    /** @throws AdminPolicy.Refused when a manager would enable a key an admin disabled (the attempt is audited) */
    public ApiKey enable(String id, Actor actor) {
        return transition(id, "enable", actor, Optional.empty(), Set.of(KeyStatus.DISABLED, KeyStatus.ACTIVE), KeyStatus.ACTIVE);
    }

    public ApiKey revoke(String id, String actor, Optional<String> reason) {
        return revoke(id, Actor.system(actor), reason);
    }

    /** Revokes for good: the key fails from the next request in this process. Revoking twice is harmless. */
    public ApiKey revoke(String id, Actor actor, Optional<String> reason) {
        return transition(id, "revoke", actor, reason, Set.of(KeyStatus.values()), KeyStatus.REVOKED);
    }

    public ApiKey approve(String id, String actor) {
        return approve(id, Actor.system(actor), Optional.empty());
    }

    public ApiKey approve(String id, String actor, Optional<String> reason) {
        return approve(id, Actor.system(actor), reason);
    }

    /**
     * Approves a pending (or rejected) key, the reason recorded in the audit entry.
     *
     * @throws AdminPolicy.Refused when a manager would approve a key an admin rejected or that it created itself
     *                             (the attempt is audited)
     */
    public ApiKey approve(String id, Actor actor, Optional<String> reason) {
        return transition(id, "approve", actor, reason, Set.of(KeyStatus.PENDING_APPROVAL, KeyStatus.REJECTED, KeyStatus.ACTIVE), KeyStatus.ACTIVE);
    }

    public ApiKey reject(String id, String actor, Optional<String> reason) {
        return reject(id, Actor.system(actor), reason);
    }

    /** Rejects a key; rejected by an admin, only an admin approves it. */
    public ApiKey reject(String id, Actor actor, Optional<String> reason) {
        return transition(id, "reject", actor, reason, Set.of(KeyStatus.PENDING_APPROVAL, KeyStatus.REJECTED), KeyStatus.REJECTED);
    }

    private ApiKey transition(String id, String action, Actor actor, Optional<String> reason, Set<KeyStatus> from, KeyStatus to) {
        return write(id, action, actor, reason, current -> {
            if (!from.contains(current.status())) {
                throw new IllegalStateException("cannot " + action + " a key that is " + current.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            }
            if (current.status() != to) checkDuties(current, action, actor);
            // An admin's hold stays until an admin lifts it: a manager disabling again must not clear it.
            boolean hold = to == KeyStatus.DISABLED || to == KeyStatus.REJECTED
                    ? actor.admin() || (current.status() == to && current.adminHold()) : to != KeyStatus.ACTIVE && current.adminHold();
            return current.toBuilder().status(to).adminHold(hold).build();
        }).after;
    }

    /**
     * Separation of duties (docs/contract.md §5): a manager neither lifts an admin's disable or reject nor approves
     * a key it created. A refusal is audited, so that the attempt is seen, and nothing is written.
     */
    private void checkDuties(ApiKey current, String action, Actor actor) {
        if (actor.admin()) return;
        String refusal = null;
        if ((action.equals("enable") || action.equals("approve")) && current.adminHold()) {
            refusal = "only a " + AdminPolicy.ADMIN + " caller " + action + "s a key that a " + AdminPolicy.ADMIN + " caller "
                    + (action.equals("enable") ? "disabled" : "rejected");
        } else if (action.equals("approve") && !current.createdBy().isEmpty() && current.createdBy().equals(actor.id())) {
            refusal = "a caller never approves a key it created";
        }
        if (refusal == null) return;
        Audits.record(audit, new AuditEvent(clock.instant(), action + ".refused", actor.id(), current.tenant(), current.id(),
                Optional.of(refusal), Map.of()));
        throw new AdminPolicy.Refused(refusal);
    }

    public IssuedKey rotate(String id, Duration gracePeriod, String actor) {
        return rotate(id, gracePeriod, Actor.system(actor));
    }

    /**
     * Replaces a key with a new one that copies its owner, permissions, limits and meta. The old key keeps working
     * for {@code gracePeriod} (never longer than its own expiry), then answers {@code EXPIRED}.
     *
     * @throws IllegalArgumentException {@code gracePeriod: ...} when it is negative, longer than 100 years or ends
     *                                  after 9999 (docs/contract.md §3); the new key is not created then
     */
    public IssuedKey rotate(String id, Duration gracePeriod, Actor actor) {
        Clock.requireInRange(gracePeriod, "gracePeriod", false);
        ApiKey old = store.findById(id).orElseThrow(() -> notFound(id));
        policy.checkRotate(actor, old);
        if (old.status() == KeyStatus.REVOKED) throw new IllegalStateException("cannot rotate a revoked key");
        Instant now = clock.instant();
        // Judged before the new key exists: a refusal after it would leave an ACTIVE key whose plaintext nobody has.
        Instant graceEnd = now.plus(gracePeriod);
        if (graceEnd.isAfter(Clock.MAX_INSTANT)) throw new IllegalArgumentException("gracePeriod: must end by " + Clock.MAX_INSTANT);
        String plaintext = format.generate(old.prefix());
        ApiKey fresh = store.create(old.toBuilder()
                .id("key_" + format.randomBase62(22))
                .start(KeyFormat.start(plaintext))
                .digest(hasher.digest(plaintext))
                .createdAt(now).updatedAt(now)
                .rotatedTo(Optional.empty())
                .createdBy(actor.id())
                .version(0)
                .build());
        written(fresh, "create", actor, Optional.of("rotation of " + id), Audits.diff(ApiKey.class, null, fresh, UNAUDITED));
        write(id, "rotate", actor, Optional.of("replaced by " + fresh.id()), current -> {
            Instant end = current.expiresAt().filter(e -> e.isBefore(graceEnd)).orElse(graceEnd);
            return current.toBuilder().expiresAt(Optional.of(end)).rotatedTo(Optional.of(fresh.id())).build();
        });
        return new IssuedKey(fresh, plaintext);
    }

    /**
     * Erases a key (docs/contract.md §5): the key and its digest leave the store, the verifier of this process
     * forgets it at once and others within the propagation bound; the audit trail keeps an {@code erase} event with
     * the key's fields as they were (never its digest) and the actor.
     *
     * @throws StoreException.NotFound when there is no such key within the actor's reach
     * @throws AdminPolicy.Refused     when a manager erases a key holding {@code keys:admin}
     */
    public void erase(String id, Actor actor) {
        ApiKey gone = get(id, actor).orElseThrow(() -> notFound(id));
        policy.checkChange(actor, gone);
        if (!store.delete(id)) throw notFound(id);
        erased.accept(gone.digest());
        Audits.record(audit, new AuditEvent(clock.instant(), "erase", actor.id(), gone.tenant(), id, Optional.empty(),
                Audits.diff(ApiKey.class, gone, null, UNAUDITED)));
    }

    /**
     * Sets a key's remaining uses to {@code value} (docs/contract.md §5, {@code POST /keys/{id}/remaining}), the uses
     * counted so far starting again from zero; answers them. Refused ({@code IllegalStateException}) with a refill.
     */
    public long setRemaining(String id, long value, Actor actor) {
        return Credits.set(this, id, value, actor);
    }

    /**
     * Adds {@code delta} remaining uses, or takes them when it is negative, atomically with every other call and
     * every verification on any instance sharing the store and the counters: an increment raises the key's limit by
     * an optimistic write of the key, a decrement counts {@code -delta} uses in the counters as requests do, so that
     * neither can lose another's change.
     *
     * @return the remaining uses now
     * @throws IllegalStateException when the key is not limited in uses, has a refill, or has fewer uses than a
     *                               decrement takes; nothing changes then
     */
    public long addRemaining(String id, long delta, Actor actor) {
        return Credits.add(this, id, delta, actor);
    }

    /** A write: the state it applied to and the state stored. */
    record Write(ApiKey before, ApiKey after) {
    }

    /** One read, the policy and the change applied to it, one optimistic write; a conflict starts over. */
    Write write(String id, String action, Actor actor, Optional<String> reason, UnaryOperator<ApiKey> change) {
        for (int attempt = 1; ; attempt++) {
            ApiKey current = store.findById(id).orElseThrow(() -> notFound(id));
            if (action.equals("rotate")) policy.checkRotate(actor, current);
            else policy.checkChange(actor, current);
            ApiKey next = change.apply(current).toBuilder().updatedAt(clock.instant()).version(current.version()).build();
            try {
                ApiKey stored = store.update(next);
                written(stored, action, actor, reason, Audits.diff(ApiKey.class, current, stored, UNAUDITED));
                return new Write(current, stored);
            } catch (StoreException.Conflict e) {
                if (attempt == RETRIES) throw e;
            }
        }
    }

    static StoreException.NotFound notFound(String id) {
        return new StoreException.NotFound("no key with id " + id);
    }

    /** Audits a use of {@code key} that changes nothing (a dashboard sign-in, {@code session.start}); its id is the actor. */
    public void audit(String action, ApiKey key, Optional<String> reason) {
        Audits.record(audit, new AuditEvent(clock.instant(), action, key.id(), key.tenant(), key.id(), reason, Map.of()));
    }

    /** After a committed write: the audit event first, then the listener, whose failure fails neither. */
    void written(ApiKey key, String action, Actor actor, Optional<String> reason, Map<String, List<String>> changes) {
        Audits.record(audit, new AuditEvent(clock.instant(), action, actor.id(), key.tenant(), key.id(), reason, changes));
        try {
            written.accept(key);
        } catch (RuntimeException e) {
            // The change is committed and audited; a verifier that missed it catches up from the change feed.
            LOG.log(System.Logger.Level.WARNING, "keys: the write listener failed after " + action + " of " + key.id() + " ("
                    + e.getClass().getName() + "); the change is committed");
        }
    }

    /** Configuration of a {@link KeyManager}. */
    public static final class Builder {
        private final KeyStore store;
        private KeyHasher hasher = KeyHasher.sha256();
        private Clock clock = Clock.system();
        private AuditSink audit = AuditSink.NONE;
        private Consumer<ApiKey> written = k -> { };
        private Consumer<Digest> erased = d -> { };
        private Runnable sha256Imported = () -> { };
        private SecureRandom random = new SecureRandom();
        private UsageCounters counters = new dev.keys.core.store.InMemoryUsageCounters();
        private AdminPolicy policy = AdminPolicy.DEFAULT;

        private Builder(KeyStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Must be the verifier's hasher. Default SHA-256. */
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }
        public Builder audit(AuditSink a) { audit = Objects.requireNonNull(a); return this; }

        /** Told the digest of every key written, after the write: a verifier's {@code refresh(Digest)} reads it anew. */
        public Builder listener(Consumer<Digest> l) {
            Objects.requireNonNull(l);
            written = k -> l.accept(k.digest());
            erased = l;
            return this;
        }

        /** Told the digest of every key erased, after the erasure: a verifier's {@code refresh(Digest)} drops it. */
        public Builder onErase(Consumer<Digest> l) { erased = Objects.requireNonNull(l); return this; }

        /** Told when a key is imported as a SHA-256 hash: a verifier's {@code sha256ImportsExist}. */
        public Builder onSha256Import(Runnable l) { sha256Imported = Objects.requireNonNull(l); return this; }

        /**
         * Told the state of every key written, as the store answered the write: wire a verifier's
         * {@code refresh(ApiKey)} here, so that the change holds from its next request without another read.
         */
        public Builder onWrite(Consumer<ApiKey> l) { written = Objects.requireNonNull(l); return this; }

        public Builder random(SecureRandom r) { random = Objects.requireNonNull(r); return this; }
        /** The verifier's usage counters, so that setting {@code remaining} anew resets the uses counted. */
        public Builder usageCounters(UsageCounters c) { counters = Objects.requireNonNull(c); return this; }
        /** The caller rules, with the service's roles. Default {@link AdminPolicy#DEFAULT} (no roles). */
        public Builder policy(AdminPolicy p) { policy = Objects.requireNonNull(p); return this; }

        public KeyManager build() {
            return new KeyManager(this);
        }
    }
}
