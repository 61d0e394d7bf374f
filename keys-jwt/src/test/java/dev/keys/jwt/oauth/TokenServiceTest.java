package dev.keys.jwt.oauth;

import dev.keys.core.store.InMemoryClientStore;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.ClientUpdate;
import dev.keys.core.lifecycle.IssuedClient;
import dev.keys.core.lifecycle.NewClient;

import dev.keys.api.ApiKey;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.api.Outcome;
import dev.keys.api.Page;
import dev.keys.api.RateLimit;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.test.ManualClock;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.Roles;
import dev.keys.jwt.JwtVerifier;
import dev.keys.jwt.SigningKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Client credentials end to end, in process: clients, the token endpoint, and verification of what it issues. */
class TokenServiceTest {
    static final String ISS = "https://auth.example", AUD = "https://api.example";

    ManualClock clock;
    SigningKeys keys;
    ClientManager clients;
    TokenService tokens;
    JwtVerifier verifier;
    IssuedClient client;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        keys = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofHours(1), clock);
        clients = ClientManager.builder(new InMemoryClientStore()).clock(clock).build();
        Roles roles = Roles.builder().role("auditor", List.of("audit:read")).build();
        tokens = TokenService.builder(clients, keys).issuer(ISS).audience(AUD).roles(roles).clock(clock).build();
        verifier = JwtVerifier.forIssuer(keys, ISS, AUD, clock);
        client = clients.create(new NewClient("billing job", "acme", Set.of("auditor"), Set.of("documents:*", "billing:read"),
                List.of(new RateLimit("burst", 100, Duration.ofSeconds(1)))));
    }

    static void assertError(OAuthError expected, Runnable r) {
        OAuthException e = assertThrows(OAuthException.class, r::run);
        assertEquals(expected, e.error(), e::getMessage);
    }

    @Test
    void issueAndVerifyRoundTrip() {
        TokenResponse r = tokens.issue(client.clientId(), client.clientSecret(), Optional.empty());
        assertEquals("Bearer", r.tokenType());
        assertEquals(900, r.expiresIn());
        assertEquals("audit:read billing:read documents:*", r.scope());
        assertTrue(JwtVerifier.looksLikeJwt(r.accessToken()));
        Verification v = verifier.verify(r.accessToken(), RequestContext.of("GET", "/docs/1"), Requirement.parse("documents:read AND audit:read"));
        assertTrue(v.isValid(), v::toString);
        ApiKey k = ((Verification.Valid) v).key();
        assertEquals("jwt:" + r.jti(), k.id());
        assertEquals(client.clientId(), k.ownerId());
        assertEquals("acme", k.tenant());
        assertEquals(Set.of("audit:read", "billing:read", "documents:*"), k.permissions());
        assertEquals(clock.instant().plusSeconds(900), k.expiresAt().orElseThrow());
        String json = r.toJson();
        assertTrue(json.contains("\"token_type\":\"Bearer\"") && json.contains("\"expires_in\":900") && json.contains("\"access_token\":\""), json);
        assertFalse(r.toString().contains(r.accessToken()));
    }

    @Test
    void requestedScopeNarrowsTheToken() {
        TokenResponse r = tokens.issue(client.clientId(), client.clientSecret(), Optional.of("documents:read"));
        assertEquals("documents:read", r.scope());
        assertTrue(verifier.verify(r.accessToken(), RequestContext.NONE, Requirement.parse("documents:read")).isValid());
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verifier.verify(r.accessToken(), RequestContext.NONE, Requirement.parse("billing:read")).outcome());
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verifier.verify(r.accessToken(), RequestContext.NONE, Requirement.parse("documents:write")).outcome());
    }

    @Test
    void scopeBeyondTheGrantIsInvalidScope() {
        assertError(OAuthError.INVALID_SCOPE, () -> tokens.issue(client.clientId(), client.clientSecret(), Optional.of("documents:read admin:*")));
        assertError(OAuthError.INVALID_SCOPE, () -> tokens.issue(client.clientId(), client.clientSecret(), Optional.of("not a permission!")));
        OAuthException e = assertThrows(OAuthException.class, () -> tokens.issue(client.clientId(), client.clientSecret(), Optional.of(client.clientSecret())));
        assertFalse(e.getMessage().contains(client.clientSecret()) || e.toJson().contains(client.clientSecret()));
    }

    @Test
    void wrongSecretUnknownClientAndRevokedClientAreInvalidClient() {
        IssuedClient other = clients.create(NewClient.of("other", "acme", Set.of("x:y")));
        assertError(OAuthError.INVALID_CLIENT, () -> tokens.issue(client.clientId(), other.clientSecret(), Optional.empty()));
        assertError(OAuthError.INVALID_CLIENT, () -> tokens.issue(client.clientId(), "cs_wrong", Optional.empty()));
        assertError(OAuthError.INVALID_CLIENT, () -> tokens.issue("client_unknown", client.clientSecret(), Optional.empty()));
        clients.setEnabled(client.clientId(), false);
        assertError(OAuthError.INVALID_CLIENT, () -> tokens.issue(client.clientId(), client.clientSecret(), Optional.empty()));
        clients.setEnabled(client.clientId(), true);
        assertNotNull(tokens.issue(client.clientId(), client.clientSecret(), Optional.empty()));
        OAuthClient revoked = clients.revoke(client.clientId());
        assertEquals(KeyStatus.REVOKED, revoked.status());
        OAuthException e = assertThrows(OAuthException.class, () -> tokens.issue(client.clientId(), client.clientSecret(), Optional.empty()));
        assertEquals(OAuthError.INVALID_CLIENT, e.error());
        assertEquals(401, e.httpStatus());
        assertEquals("client authentication failed", e.description());
    }

    @Test
    void formAndBasicRequests() {
        String basic = "Basic " + Base64.getEncoder().encodeToString((client.clientId() + ":" + client.clientSecret()).getBytes(StandardCharsets.UTF_8));
        TokenResponse r = tokens.handle("grant_type=client_credentials&scope=documents%3Aread", Optional.of(basic));
        assertEquals("documents:read", r.scope());
        TokenResponse f = tokens.handle("grant_type=client_credentials&client_id=" + client.clientId() + "&client_secret=" + client.clientSecret(), Optional.empty());
        assertTrue(verifier.verify(f.accessToken()).isValid());

        assertError(OAuthError.INVALID_REQUEST, () -> tokens.handle("grant_type=client_credentials&client_secret=" + client.clientSecret(), Optional.of(basic)));
        assertError(OAuthError.INVALID_REQUEST, () -> tokens.handle("grant_type=client_credentials&client_id=someone_else", Optional.of(basic)));
        assertError(OAuthError.INVALID_REQUEST, () -> tokens.handle("grant_type=client_credentials&grant_type=client_credentials", Optional.of(basic)));
        assertError(OAuthError.INVALID_REQUEST, () -> tokens.handle("scope=a:b", Optional.of(basic)));
        assertError(OAuthError.INVALID_REQUEST, () -> tokens.handle("grant_type=client_credentials", Optional.of("Basic !!!")));
        assertError(OAuthError.UNSUPPORTED_GRANT_TYPE, () -> tokens.handle("grant_type=password&username=a&password=b", Optional.of(basic)));
        assertError(OAuthError.INVALID_CLIENT, () -> tokens.handle("grant_type=client_credentials", Optional.empty()));
        assertError(OAuthError.INVALID_CLIENT, () -> tokens.handle("grant_type=client_credentials", Optional.of("Bearer abc")));

        String wrong = "Basic " + Base64.getEncoder().encodeToString((client.clientId() + ":cs_nope").getBytes(StandardCharsets.UTF_8));
        OAuthException e = assertThrows(OAuthException.class, () -> tokens.handle("grant_type=client_credentials", Optional.of(wrong)));
        assertEquals(OAuthError.INVALID_CLIENT, e.error());
        assertTrue(e.wwwAuthenticate().orElseThrow().startsWith("Basic "));
        assertEquals("{\"error\":\"invalid_client\",\"error_description\":\"client authentication failed\"}", e.toJson());
        assertTrue(assertThrows(OAuthException.class, () -> tokens.handle("grant_type=client_credentials&client_id=" + client.clientId() + "&client_secret=cs_x", Optional.empty()))
                .wwwAuthenticate().isEmpty());
    }

    @Test
    void requestsNeverPrintTheSecret() {
        TokenRequest r = TokenRequest.parse("grant_type=client_credentials&client_id=a&client_secret=" + client.clientSecret(), Optional.empty());
        assertFalse(r.toString().contains(client.clientSecret()));
        assertFalse(client.toString().contains(client.clientSecret()));
        assertFalse(client.client().toString().contains(client.client().secretDigest().toHex()));
    }

    @Test
    void clientsAreUpdatedAndListed() {
        OAuthClient u = clients.update(client.clientId(), ClientUpdate.NONE.withPermissions(Set.of("reports:read")).withRoles(Set.of()).withName("reports"));
        assertEquals("reports", u.name());
        assertEquals(2, u.version());
        assertEquals("reports:read", tokens.issue(client.clientId(), client.clientSecret(), Optional.empty()).scope());
        assertError(OAuthError.INVALID_SCOPE, () -> tokens.issue(client.clientId(), client.clientSecret(), Optional.of("documents:read")));
        clients.create(NewClient.of("b", "acme", Set.of()));
        clients.create(NewClient.of("c", "globex", Set.of()));
        Page<OAuthClient> p1 = clients.list(Optional.of("acme"), 1, Optional.empty());
        assertEquals(1, p1.items().size());
        Page<OAuthClient> p2 = clients.list(Optional.of("acme"), 1, p1.nextCursor());
        assertEquals(1, p2.items().size());
        assertTrue(p2.nextCursor().isEmpty());
        assertEquals(3, clients.list(Optional.empty(), 10, Optional.empty()).items().size());
        assertTrue(clients.get(client.clientId()).isPresent());
        assertThrows(IllegalArgumentException.class, () -> NewClient.of("bad", "acme", Set.of("no good")));
    }

    @Test
    void rotationKeepsOldTokensValidUntilTheyExpire() {
        TokenResponse before = tokens.issue(client.clientId(), client.clientSecret(), Optional.empty());
        String oldKid = keys.currentKeyId();
        clock.advance(Duration.ofMinutes(5));
        String newKid = keys.rotate();
        assertNotEquals(oldKid, newKid);
        assertEquals(List.of(newKid, oldKid), keys.publishedKeyIds());
        TokenResponse after = tokens.issue(client.clientId(), client.clientSecret(), Optional.empty());
        assertTrue(verifier.verify(before.accessToken()).isValid(), "signed by the retired key, not yet expired");
        assertTrue(verifier.verify(after.accessToken()).isValid());
        // a fresh verifier (no cache) also accepts the old token through the published retired key
        assertTrue(JwtVerifier.forIssuer(keys, ISS, AUD, clock).verify(before.accessToken()).isValid());
        clock.advance(Duration.ofMinutes(10).plusSeconds(60)); // 15 min + 60 s skew after the first token
        assertEquals(Outcome.EXPIRED, verifier.verify(before.accessToken()).outcome());
        assertTrue(verifier.verify(after.accessToken()).isValid());
        clock.advance(Duration.ofHours(1));
        assertEquals(List.of(newKid), keys.publishedKeyIds(), "the retired key is unpublished once its tokens are all past expiry");
        assertEquals(Outcome.EXPIRED, verifier.verify(after.accessToken()).outcome());
        assertFalse(keys.jwks().contains(oldKid));
        assertFalse(keys.jwks().contains("\"d\""), "no private part is published");
    }

    @Test
    void lifetimeBeyondTheKeyringIsRefused() {
        assertThrows(IllegalStateException.class, () -> TokenService.builder(clients, keys).issuer(ISS).audience(AUD).lifetime(Duration.ofHours(2)).build());
    }
}
