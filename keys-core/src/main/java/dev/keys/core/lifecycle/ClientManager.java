package dev.keys.core.lifecycle;

import dev.keys.api.AuditEvent;
import dev.keys.api.AuditSink;
import dev.keys.api.ClientStore;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.api.Page;
import dev.keys.api.RateLimit;
import dev.keys.api.StoreException;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The lifecycle of OAuth clients: create (the secret is returned once), get, list, update, revoke, disable, enable,
 * and {@link #authenticate} for the token endpoint. Secrets are generated like keys ({@link KeyFormat}, prefix
 * {@value #SECRET_PREFIX}, so that secret scanners find them and typos fail on the checksum), stored only as a
 * digest ({@link KeyHasher}) and compared by digest in constant time.
 *
 * <p>As for keys, every call is made by an {@link Actor} held to the {@link AdminPolicy} (the overloads without
 * one act as {@link Actor#SYSTEM}), and every write is audited with its field diff, actions {@code client.create},
 * {@code client.update}, {@code client.revoke}, {@code client.disable} and {@code client.enable}, the client id as
 * the event's key id.
 */
public final class ClientManager {
    public static final String SECRET_PREFIX = "cs";
    public static final String ID_PREFIX = "client_";
    private static final int RETRIES = 5;
    private static final Set<String> UNAUDITED = Set.of("secretDigest", "version", "updatedAt");

    private final ClientStore store;
    private final KeyHasher hasher;
    private final Clock clock;
    private final KeyFormat format;
    private final AuditSink audit;
    private final AdminPolicy policy;
    /** Hashed when the client is unknown, so that unknown and known ids cost the same. */
    private final Digest decoy;

    private ClientManager(Builder b) {
        this.store = b.store;
        this.hasher = b.hasher;
        this.clock = b.clock;
        this.format = new KeyFormat(b.random);
        this.audit = b.audit;
        this.policy = b.policy;
        this.decoy = hasher.digest(format.generate(SECRET_PREFIX));
    }

    private ClientManager(ClientManager m, AdminPolicy policy) {
        this.store = m.store;
        this.hasher = m.hasher;
        this.clock = m.clock;
        this.format = m.format;
        this.audit = m.audit;
        this.policy = policy;
        this.decoy = m.decoy;
    }

    public static Builder builder(ClientStore store) {
        return new Builder(store);
    }

    /** This manager under another policy (the admin API's, with its roles); store and audit are shared. */
    public ClientManager withPolicy(AdminPolicy p) {
        return p == policy ? this : new ClientManager(this, Objects.requireNonNull(p, "policy"));
    }

    public AdminPolicy policy() {
        return policy;
    }

    /** Creates a client as the system. */
    public IssuedClient create(NewClient c) {
        return create(c, Actor.SYSTEM);
    }

    /**
     * Creates a client; the answer holds its secret, shown this once.
     *
     * @throws AdminPolicy.Refused when the actor may not create it (another tenant, or a grant of {@code keys:admin})
     */
    public IssuedClient create(NewClient c, Actor actor) {
        policy.checkCreate(actor, c);
        String secret = format.generate(SECRET_PREFIX);
        Instant now = clock.instant();
        OAuthClient client = store.create(new OAuthClient(ID_PREFIX + format.randomBase62(20), c.tenant(), c.name(), hasher.digest(secret),
                c.roles(), c.permissions(), c.ratelimits(), KeyStatus.ACTIVE, now, now, 0));
        written(client, "client.create", actor, Optional.empty(), Audits.diff(OAuthClient.class, null, client, UNAUDITED));
        return new IssuedClient(client, secret);
    }

    public Optional<OAuthClient> get(String clientId) {
        return store.findById(clientId);
    }

    /**
     * The client, if there is one within the actor's reach.
     *
     * @throws AdminPolicy.Refused when the actor may not read clients
     */
    public Optional<OAuthClient> get(String clientId, Actor actor) {
        policy.require(actor, Actor.Right.READ);
        return store.findById(clientId).filter(c -> actor.reaches(c.tenant()));
    }

    /**
     * The rate limits of a client, empty for an unknown one: for {@code JwtVerifier.Builder.limits}, so that
     * requests made with a client's tokens share its buckets.
     */
    public List<RateLimit> ratelimits(String clientId) {
        return store.findById(clientId).map(OAuthClient::ratelimits).orElse(List.of());
    }

    public Page<OAuthClient> list(Optional<String> tenant, int limit, Optional<String> cursor) {
        return store.list(tenant, limit, cursor);
    }

    /**
     * One page of the clients within the actor's reach: a manager's listing covers its own tenant.
     *
     * @throws StoreException.NotFound when a manager asks for another tenant
     */
    public Page<OAuthClient> list(Optional<String> tenant, int limit, Optional<String> cursor, Actor actor) {
        return store.list(policy.scope(actor, tenant), limit, cursor);
    }

    /** Changes the mutable fields as the system; see {@link #update(String, ClientUpdate, Actor)}. */
    public OAuthClient update(String clientId, ClientUpdate u) {
        return update(clientId, u, Actor.SYSTEM);
    }

    /**
     * As {@link #update(String, ClientUpdate)}, with {@code check} run on the state the write applies to (again on
     * each retry), so that a caller's own check cannot be slipped past by a concurrent change; it refuses by
     * throwing, and nothing is written then.
     */
    public OAuthClient update(String clientId, ClientUpdate u, Consumer<OAuthClient> check) {
        Objects.requireNonNull(check, "check");
        return change(clientId, "client.update", Actor.SYSTEM, Optional.empty(), c -> {
            check.accept(c);
            return apply(u, c);
        });
    }

    /**
     * Changes the mutable fields; takes effect on the next token issued (tokens already issued keep their scope
     * until they expire).
     *
     * @throws StoreException.NotFound when there is no such client within the actor's reach
     * @throws AdminPolicy.Refused     when a manager changes a client holding {@code keys:admin} or grants it
     */
    public OAuthClient update(String clientId, ClientUpdate u, Actor actor) {
        return change(clientId, "client.update", actor, Optional.empty(), c -> {
            OAuthClient next = apply(u, c);
            policy.checkGrant(actor, c.tenant(), c.clientId(), c.roles(), c.permissions(), next.roles(), next.permissions());
            return next;
        });
    }

    private OAuthClient apply(ClientUpdate u, OAuthClient c) {
        return new OAuthClient(c.clientId(), c.tenant(), u.name().orElse(c.name()), c.secretDigest(),
                u.roles().orElse(c.roles()), u.permissions().orElse(c.permissions()), u.ratelimits().orElse(c.ratelimits()),
                c.status(), c.createdAt(), clock.instant(), c.version());
    }

    /** Revokes a client as the system; see {@link #revoke(String, Actor, Optional)}. */
    public OAuthClient revoke(String clientId) {
        return revoke(clientId, Actor.SYSTEM, Optional.empty());
    }

    /**
     * Revokes a client: no token is issued to it again, and the tokens it already holds are refused by a
     * {@code JwtVerifier} built with {@code clients(store)} (keys-jwt): at once when this manager writes through
     * that verifier's {@code clientStore()}, and within its refresh interval on other instances.
     */
    public OAuthClient revoke(String clientId, Actor actor, Optional<String> reason) {
        return change(clientId, "client.revoke", actor, reason, c -> c.withStatus(KeyStatus.REVOKED, clock.instant()));
    }

    /** Disables a client, or enables it again, as the system. */
    public OAuthClient setEnabled(String clientId, boolean enabled) {
        return enabled ? enable(clientId, Actor.SYSTEM) : disable(clientId, Actor.SYSTEM, Optional.empty());
    }

    /** Disables a client: no token is issued to it until it is enabled again. */
    public OAuthClient disable(String clientId, Actor actor, Optional<String> reason) {
        return status(clientId, "client.disable", actor, reason, KeyStatus.DISABLED);
    }

    public OAuthClient enable(String clientId, Actor actor) {
        return status(clientId, "client.enable", actor, Optional.empty(), KeyStatus.ACTIVE);
    }

    private OAuthClient status(String clientId, String action, Actor actor, Optional<String> reason, KeyStatus to) {
        return change(clientId, action, actor, reason, c -> {
            if (c.status() == KeyStatus.REVOKED) throw new IllegalStateException("a revoked client cannot be enabled or disabled");
            return c.withStatus(to, clock.instant());
        });
    }

    /**
     * The active client with this id and secret, or empty: unknown id, wrong secret, or a client not active. The
     * same work is done in every case (one hash, one constant-time comparison).
     */
    public Optional<OAuthClient> authenticate(String clientId, CharSequence secret) {
        boolean wellFormed = secret != null && KeyFormat.isWellFormed(secret);
        Digest given = wellFormed ? hasher.digest(secret) : decoy;
        Optional<OAuthClient> client = clientId == null ? Optional.empty() : store.findById(clientId);
        Digest expected = client.map(OAuthClient::secretDigest).orElse(decoy);
        boolean match = expected.equals(given);
        if (!wellFormed || client.isEmpty() || !match || !client.get().active()) return Optional.empty();
        return client;
    }

    /** One read, the policy and the change applied to it, one optimistic write; a conflict starts over. */
    private OAuthClient change(String clientId, String action, Actor actor, Optional<String> reason, UnaryOperator<OAuthClient> f) {
        for (int i = 0; ; i++) {
            OAuthClient current = store.findById(clientId).orElseThrow(() -> new StoreException.NotFound("no client with id " + clientId));
            policy.checkChange(actor, current);
            try {
                OAuthClient stored = store.update(f.apply(current));
                written(stored, action, actor, reason, Audits.diff(OAuthClient.class, current, stored, UNAUDITED));
                return stored;
            } catch (StoreException.Conflict e) {
                if (i + 1 >= RETRIES) throw e;
            }
        }
    }

    private void written(OAuthClient c, String action, Actor actor, Optional<String> reason, Map<String, List<String>> changes) {
        Audits.record(audit, new AuditEvent(clock.instant(), action, actor.id(), c.tenant(), c.clientId(), reason, changes));
    }

    /** Configuration of a {@link ClientManager}. */
    public static final class Builder {
        private final ClientStore store;
        private KeyHasher hasher = KeyHasher.sha256();
        private Clock clock = Clock.system();
        private SecureRandom random = new SecureRandom();
        private AuditSink audit = AuditSink.NONE;
        private AdminPolicy policy = AdminPolicy.DEFAULT;

        private Builder(ClientStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** How secrets are hashed; every instance sharing a store must use the same. Default SHA-256. */
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }

        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        public Builder random(SecureRandom r) { random = Objects.requireNonNull(r); return this; }

        /** Where every write is recorded: the same audit log as the keys', so that the admin API reads both. Default none. */
        public Builder audit(AuditSink a) { audit = Objects.requireNonNull(a); return this; }

        /** The caller rules, with the service's roles. Default {@link AdminPolicy#DEFAULT} (no roles). */
        public Builder policy(AdminPolicy p) { policy = Objects.requireNonNull(p); return this; }

        public ClientManager build() {
            return new ClientManager(this);
        }
    }
}
