package dev.keys.core.lifecycle;

import dev.keys.api.Clock;
import dev.keys.api.ClientStore;
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
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The lifecycle of OAuth clients: create (the secret is returned once), get, list, update, revoke, and
 * {@link #authenticate} for the token endpoint. Secrets are generated like keys ({@link KeyFormat}, prefix
 * {@value #SECRET_PREFIX}, so that secret scanners find them and typos fail on the checksum), stored only as a
 * digest ({@link KeyHasher}) and compared by digest in constant time.
 */
public final class ClientManager {
    public static final String SECRET_PREFIX = "cs";
    public static final String ID_PREFIX = "client_";
    private static final int RETRIES = 5;

    private final ClientStore store;
    private final KeyHasher hasher;
    private final Clock clock;
    private final KeyFormat format;
    /** Hashed when the client is unknown, so that unknown and known ids cost the same. */
    private final Digest decoy;

    private ClientManager(Builder b) {
        this.store = b.store;
        this.hasher = b.hasher;
        this.clock = b.clock;
        this.format = new KeyFormat(b.random);
        this.decoy = hasher.digest(format.generate(SECRET_PREFIX));
    }

    public static Builder builder(ClientStore store) {
        return new Builder(store);
    }

    /** Creates a client; the answer holds its secret, shown this once. */
    public IssuedClient create(NewClient c) {
        String secret = format.generate(SECRET_PREFIX);
        Instant now = clock.instant();
        OAuthClient client = new OAuthClient(ID_PREFIX + format.randomBase62(20), c.tenant(), c.name(), hasher.digest(secret),
                c.roles(), c.permissions(), c.ratelimits(), KeyStatus.ACTIVE, now, now, 0);
        return new IssuedClient(store.create(client), secret);
    }

    public Optional<OAuthClient> get(String clientId) {
        return store.findById(clientId);
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
     * Changes the mutable fields; takes effect on the next token issued (tokens already issued keep their scope
     * until they expire).
     *
     * @throws StoreException.NotFound when there is no such client
     */
    public OAuthClient update(String clientId, ClientUpdate u) {
        return update(clientId, u, c -> { });
    }

    /**
     * As {@link #update(String, ClientUpdate)}, with {@code check} run on the state the write applies to (again on
     * each retry), so that a caller's permission check cannot be slipped past by a concurrent change; it refuses
     * by throwing, and nothing is written then.
     */
    public OAuthClient update(String clientId, ClientUpdate u, java.util.function.Consumer<OAuthClient> check) {
        Objects.requireNonNull(check, "check");
        return change(clientId, c -> {
            check.accept(c);
            return new OAuthClient(c.clientId(), c.tenant(), u.name().orElse(c.name()), c.secretDigest(),
                    u.roles().orElse(c.roles()), u.permissions().orElse(c.permissions()), u.ratelimits().orElse(c.ratelimits()),
                    c.status(), c.createdAt(), clock.instant(), c.version());
        });
    }

    /**
     * Revokes a client: no token is issued to it again. Tokens it already holds stay valid until they expire
     * (short-lived by design); revoke their {@code jti}s in a {@code JtiDenyList} to cut them off sooner.
     */
    public OAuthClient revoke(String clientId) {
        return change(clientId, c -> c.withStatus(KeyStatus.REVOKED, clock.instant()));
    }

    /** Disables a client, or enables it again. */
    public OAuthClient setEnabled(String clientId, boolean enabled) {
        return change(clientId, c -> {
            if (c.status() == KeyStatus.REVOKED) throw new IllegalStateException("a revoked client cannot be enabled or disabled");
            return c.withStatus(enabled ? KeyStatus.ACTIVE : KeyStatus.DISABLED, clock.instant());
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

    private OAuthClient change(String clientId, UnaryOperator<OAuthClient> f) {
        for (int i = 0; ; i++) {
            OAuthClient current = store.findById(clientId).orElseThrow(() -> new StoreException.NotFound("no client with id " + clientId));
            try {
                return store.update(f.apply(current));
            } catch (StoreException.Conflict e) {
                if (i + 1 >= RETRIES) throw e;
            }
        }
    }

    /** Configuration of a {@link ClientManager}. */
    public static final class Builder {
        private final ClientStore store;
        private KeyHasher hasher = KeyHasher.sha256();
        private Clock clock = Clock.system();
        private SecureRandom random = new SecureRandom();

        private Builder(ClientStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** How secrets are hashed; every instance sharing a store must use the same. Default SHA-256. */
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }

        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        public Builder random(SecureRandom r) { random = Objects.requireNonNull(r); return this; }

        public ClientManager build() {
            return new ClientManager(this);
        }
    }
}
