package dev.keys.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keys.api.ClientStore;
import dev.keys.api.OAuthClient;
import dev.keys.api.Outcome;
import dev.keys.api.Page;
import dev.keys.api.Verification;

import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Whether the OAuth client a token was issued to may still use it (issue 14 #4; docs/contract.md §5: once a client
 * is revoked or disabled, its tokens are refused from the next request on, on every instance within the
 * propagation bound).
 *
 * <p>Design. A token is self-contained, so its client's status is the one thing a verified token must look up. It is
 * kept per client in a bounded cache (Caffeine) and read again from the {@link ClientStore} once the entry is older
 * than the refresh interval, which is therefore the propagation bound for changes made by another instance: one
 * store read per client per interval per instance, single-flight, and none for a cached client in between. A write
 * through {@link #watching} (the store a same-process {@code ClientManager} uses) replaces the entry at once, so that
 * a change made here holds from the very next request. A newer version is never replaced by an older one.
 *
 * <p>Failures. A read that fails is tried again after one interval, not on every request. Meanwhile the last status
 * read keeps serving for the stale bound (default zero), then the token is denied {@code STORE_UNAVAILABLE} (fail
 * closed). A revoked client is final: its entry needs no refresh and no outage brings it back.
 *
 * <p>Outcomes. A revoked client's token is {@code REVOKED}. A disabled client's token is {@code REVOKED} as well,
 * with its own detail, not {@code DISABLED}: {@code DISABLED} is a 403, which tells a client its credential is good
 * but lacks something; here the token itself must not be used, and 401 {@code invalid_token} (RFC 6750) makes a
 * client drop it and go back to the token endpoint, which refuses a disabled client. A client that the store no
 * longer knows is {@code REVOKED} too. Thread-safe.
 */
final class ClientStatus {
    static final Verification.Denied CLIENT_REVOKED = new Verification.Denied(Outcome.REVOKED, "token's client is revoked");
    static final Verification.Denied CLIENT_DISABLED = new Verification.Denied(Outcome.REVOKED, "token's client is disabled");
    static final Verification.Denied CLIENT_UNKNOWN = new Verification.Denied(Outcome.REVOKED, "token's client no longer exists");
    static final Verification.Denied CLIENT_INACTIVE = new Verification.Denied(Outcome.REVOKED, "token's client is not active");
    static final Verification.Denied CLIENT_UNAVAILABLE = new Verification.Denied(Outcome.STORE_UNAVAILABLE, "token's client status unavailable");
    private static final long MAX_CLIENTS = 100_000;

    /**
     * What was last read of one client: its denial ({@code null} while active), its version, when it was read and
     * when a read was last tried. {@code readAt} is {@link Long#MIN_VALUE} when no read ever succeeded.
     */
    private record Seen(Verification.Denied denial, long version, long readAt, long triedAt) {
        boolean known() {
            return readAt != Long.MIN_VALUE;
        }

        boolean revoked() {
            return denial == CLIENT_REVOKED;
        }
    }

    private final ClientStore store;
    private final long refreshNanos;
    /** How long after a successful read its status may still answer: the interval plus the stale bound. */
    private final long servesNanos;
    private final Cache<String, Seen> seen = Caffeine.newBuilder().maximumSize(MAX_CLIENTS).build();
    private final ClientStore watched;

    private ClientStatus(JwtVerifier.Builder b) {
        this.store = b.clients;
        this.watched = watching(b.clients, b.clock::nanos);
        this.refreshNanos = b.clientsRefresh.toNanos();
        long stale = b.clientsStaleBound.toNanos();
        this.servesNanos = refreshNanos + stale < 0 ? Long.MAX_VALUE : refreshNanos + stale;
    }

    /** The client checks a builder configures, if any. */
    static Optional<ClientStatus> of(JwtVerifier.Builder b) {
        return b.clients == null ? Optional.empty() : Optional.of(new ClientStatus(b));
    }

    /** The denial of a token whose client may not use it now, or {@code null} when it may. */
    Verification.Denied refusal(VerifiedToken t, long now) {
        Seen s = seen.getIfPresent(t.clientId());
        if (s == null || (!s.revoked() && now - s.triedAt >= refreshNanos)) s = read(t.clientId(), now);
        Verification.Denied d;
        if (s.revoked() || (s.known() && now - s.readAt < servesNanos)) d = s.denial;
        else d = CLIENT_UNAVAILABLE;
        return d == null ? null : new Verification.Denied(d.outcome(), d.detail(), t.key());
    }

    private Seen read(String clientId, long now) {
        return seen.asMap().compute(clientId, (id, current) -> {
            if (current != null && (current.revoked() || now - current.triedAt < refreshNanos)) return current; // another thread read it
            try {
                Optional<OAuthClient> c = store.findById(id);
                Seen fresh = c.isPresent() ? seen(c.get(), now) : new Seen(CLIENT_UNKNOWN, 0, now, now);
                // A write of this process that the store does not show yet (a lagging replica) stays.
                return current != null && current.version > fresh.version ? new Seen(current.denial, current.version, now, now) : fresh;
            } catch (RuntimeException e) {
                // The store is down: keep what was known, and try again after one interval.
                return current == null ? new Seen(null, Long.MIN_VALUE, Long.MIN_VALUE, now)
                        : new Seen(current.denial, current.version, current.readAt, now);
            }
        });
    }

    /** Takes a client as just written to the store by this process, unless a newer version is known already. */
    void written(OAuthClient c, long now) {
        seen.asMap().compute(c.clientId(), (id, current) -> current != null && current.version > c.version() ? current : seen(c, now));
    }

    private static Seen seen(OAuthClient c, long now) {
        Verification.Denied d = switch (c.status()) {
            case ACTIVE -> null;
            case DISABLED -> CLIENT_DISABLED;
            case REVOKED -> CLIENT_REVOKED;
            case PENDING_APPROVAL, REJECTED -> CLIENT_INACTIVE;
        };
        return new Seen(d, c.version(), now, now);
    }

    /** The store, with every client written through it taken at once: for this process's {@code ClientManager}. */
    ClientStore watched() {
        return watched;
    }

    /** {@code store}, with every client written through it taken at once ({@link #written}). */
    private ClientStore watching(ClientStore store, LongSupplier clock) {
        return new ClientStore() {
            @Override
            public Optional<OAuthClient> findById(String clientId) {
                return store.findById(clientId);
            }

            @Override
            public OAuthClient create(OAuthClient client) {
                OAuthClient stored = store.create(client);
                written(stored, clock.getAsLong());
                return stored;
            }

            @Override
            public OAuthClient update(OAuthClient client) {
                OAuthClient stored = store.update(client);
                written(stored, clock.getAsLong());
                return stored;
            }

            @Override
            public Page<OAuthClient> list(Optional<String> tenant, int limit, Optional<String> cursor) {
                return store.list(tenant, limit, cursor);
            }
        };
    }
}
