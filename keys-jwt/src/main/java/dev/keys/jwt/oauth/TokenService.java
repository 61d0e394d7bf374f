package dev.keys.jwt.oauth;

import dev.keys.core.lifecycle.ClientManager;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.keys.api.Clock;
import dev.keys.api.OAuthClient;
import dev.keys.core.authz.Roles;
import dev.keys.core.format.KeyFormat;
import dev.keys.jwt.SigningKeys;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The token endpoint of the client-credentials grant (RFC 6749 §4.4): authenticates a client, decides the scope
 * and signs a short-lived access token (RFC 9068 shape: {@code typ at+jwt}; claims {@code iss}, {@code sub} and
 * {@code client_id} = the client id, {@code aud}, {@code iat}, {@code nbf}, {@code exp}, {@code jti},
 * {@code scope}, {@code tenant}).
 *
 * <p>Scope. The client's grant is its permissions plus those of its roles, flattened when the token is issued so
 * that the token is self-contained. Without a requested {@code scope}, the token carries the whole grant; with one,
 * exactly the requested permissions, each implied by the grant, or the request fails with {@code invalid_scope}
 * ({@code GrantedScope}).
 */
public final class TokenService {
    public static final String GRANT_TYPE = "client_credentials";
    public static final String TOKEN_TYPE = "at+jwt";

    private final ClientManager clients;
    private final SigningKeys keys;
    private final String issuer;
    private final String audience;
    private final Duration lifetime;
    private final Roles roles;
    private final Clock clock;
    private final KeyFormat random = new KeyFormat();

    private TokenService(Builder b) {
        this.clients = b.clients;
        this.keys = b.keys;
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.lifetime = b.lifetime;
        this.roles = b.roles;
        this.clock = b.clock;
    }

    public static Builder builder(ClientManager clients, SigningKeys keys) {
        return new Builder(clients, keys);
    }

    /**
     * Handles {@code POST /oauth/token}: parses the body and header, then {@link #handle(TokenRequest)}.
     *
     * @throws OAuthException with the RFC 6749 §5.2 error
     */
    public TokenResponse handle(String formBody, Optional<String> authorization) {
        return handle(TokenRequest.parse(formBody, authorization));
    }

    /** @throws OAuthException with the RFC 6749 §5.2 error */
    public TokenResponse handle(TokenRequest request) {
        if (request.grantType().isEmpty()) throw new OAuthException(OAuthError.INVALID_REQUEST, "grant_type is required", request.basicAuth());
        if (!GRANT_TYPE.equals(request.grantType().get()))
            throw new OAuthException(OAuthError.UNSUPPORTED_GRANT_TYPE, "only grant_type=client_credentials is supported", request.basicAuth());
        if (request.clientId().isEmpty() || request.clientSecret().isEmpty())
            throw new OAuthException(OAuthError.INVALID_CLIENT, "client authentication is required", request.basicAuth());
        return issue(request.clientId().get(), request.clientSecret().get(), request.scope(), request.basicAuth());
    }

    /**
     * Authenticates the client and issues a token.
     *
     * @param requestedScope space-separated permissions, each implied by the client's grant; empty for all of it
     * @throws OAuthException {@code invalid_client} (unknown client, wrong secret, client not active: one answer for
     *                        all three), {@code invalid_scope}
     */
    public TokenResponse issue(String clientId, String clientSecret, Optional<String> requestedScope) {
        return issue(clientId, clientSecret, requestedScope, false);
    }

    private TokenResponse issue(String clientId, String clientSecret, Optional<String> requestedScope, boolean basic) {
        OAuthClient client = clients.authenticate(clientId, clientSecret)
                .orElseThrow(() -> new OAuthException(OAuthError.INVALID_CLIENT, "client authentication failed", basic));
        Set<String> scope = GrantedScope.of(roles.flatten(client.roles(), client.permissions()), requestedScope.filter(s -> !s.isBlank()), basic);
        Instant now = clock.instant();
        Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
        Instant exp = iat.plus(lifetime);
        String jti = random.randomBase62(22);
        String scopeText = String.join(" ", scope);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(client.clientId())
                .audience(audience)
                .issueTime(Date.from(iat))
                .notBeforeTime(Date.from(iat))
                .expirationTime(Date.from(exp))
                .jwtID(jti)
                .claim("client_id", client.clientId())
                .claim("scope", scopeText)
                .claim("tenant", client.tenant())
                .build();
        String token = keys.sign(claims, Optional.of(TOKEN_TYPE));
        return new TokenResponse(token, "Bearer", lifetime.getSeconds(), scopeText, jti);
    }

    /** The public signing keys as JSON, for {@code GET /.well-known/jwks.json}. */
    public String jwks() {
        return keys.jwks();
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** Configuration of a {@link TokenService}. {@link #issuer} and {@link #audience} are required. */
    public static final class Builder {
        private final ClientManager clients;
        private final SigningKeys keys;
        private String issuer, audience;
        private Duration lifetime = Duration.ofMinutes(15);
        private Roles roles = Roles.EMPTY;
        private Clock clock = Clock.system();

        private Builder(ClientManager clients, SigningKeys keys) {
            this.clients = Objects.requireNonNull(clients, "clients");
            this.keys = Objects.requireNonNull(keys, "keys");
        }

        public Builder issuer(String v) { issuer = Objects.requireNonNull(v); return this; }

        public Builder audience(String v) { audience = Objects.requireNonNull(v); return this; }

        /** Token lifetime; default 15 minutes, at most the keyring's {@code maxTokenLifetime}. */
        public Builder lifetime(Duration d) {
            if (d.isNegative() || d.isZero() || d.getNano() != 0) throw new IllegalArgumentException("lifetime must be a positive number of seconds");
            lifetime = d;
            return this;
        }

        /** The roles clients may hold, flattened into each token's scope. Default none. */
        public Builder roles(Roles r) { roles = Objects.requireNonNull(r); return this; }

        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        public TokenService build() {
            if (issuer == null || audience == null) throw new IllegalStateException("issuer and audience are required");
            if (lifetime.compareTo(keys.maxTokenLifetime()) > 0)
                throw new IllegalStateException("token lifetime exceeds the keyring's maxTokenLifetime, so rotation could unpublish a live token's key");
            return new TokenService(this);
        }
    }
}
