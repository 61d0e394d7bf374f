package dev.keys.jwt.servlet;


import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keys.api.AuditEvent;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.RouteTable;
import dev.keys.jwt.JwtVerifier;
import dev.keys.jwt.SigningKeys;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.store.InMemoryClientStore;
import dev.keys.jwt.oauth.TokenService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.Optional;

import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.ApiKeyFilter;
import dev.keys.servlet.KeyAdminServlet;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/**
 * OAuth 2.0 client credentials over real HTTP: clients made through {@code /clients}, tokens from
 * {@code POST /oauth/token}, the keys at {@code /.well-known/jwks.json}, and the filter admitting JWTs next to keys
 * with the same routes, answers and rate limits. Ends with a leak scan of every response and log line for client
 * secrets and tokens.
 */
class JwtHttpTest {
    static final String ISS = "https://auth.example", AUD = "https://api.example";
    static final Roles ROLES = Roles.builder().role("editor", List.of("documents:read", "documents:write")).build();
    static JettyHarness h;
    static SigningKeys signing;
    static ClientManager clients;
    static IssuedKey admin, manager, otherManager;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(ROLES);
        signing = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofHours(1), h.clock);
        clients = ClientManager.builder(new InMemoryClientStore()).clock(h.clock).audit(h.audit).build();
        TokenService tokens = TokenService.builder(clients, signing).issuer(ISS).audience(AUD).roles(ROLES)
                .lifetime(Duration.ofMinutes(5)).clock(h.clock).build();
        JwtVerifier jwt = JwtVerifier.builderForIssuer(signing, ISS, AUD).roles(ROLES).clock(h.clock)
                .limits(clients::ratelimits).build();
        RouteTable routes = RouteTable.parse("""
                GET /api/documents/** -> documents:read
                POST /api/documents/** -> documents:write
                GET /api/open/** -> NONE
                """);
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).routes(routes).jwt(jwt).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet("/admin/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).clients(clients)
                        .policy(AdminPolicy.builder(ROLES).ceiling("acme", Set.of("documents:*"), Set.of("editor")).build()).build())
                .servlet("/plain-admin/*", KeyAdminServlet.builder(h.keys).build())
                .servlet("/oauth/token", TokenEndpointServlet.builder(tokens).build())
                .servlet("/.well-known/jwks.json", JwksServlet.of(signing))
                .servlet(AuthorizationServerMetadataServlet.WELL_KNOWN,
                        AuthorizationServerMetadataServlet.builder(ISS).scopes(List.of("documents:read", "documents:write")).build());
        // The same, declared by class name: the filter finds Keys and the JwtVerifier in context attributes.
        h.context.setAttribute(ApiKeyFilter.DEFAULT_KEYS_ATTRIBUTE, h.keys);
        h.context.setAttribute("my.jwt", jwt);
        org.eclipse.jetty.ee10.servlet.FilterHolder declared = new org.eclipse.jetty.ee10.servlet.FilterHolder(ApiKeyFilter.class);
        declared.setInitParameter("jwt-attribute", "my.jwt");
        h.context.addFilter(declared, "/declared/*", java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        h.servlet("/declared/*", new JettyHarness.EchoServlet()).start();
        admin = h.issue(NewKey.builder("sk_live").tenant("root").permissions(java.util.Set.of("keys:admin")));
        manager = h.issue(NewKey.builder("sk_live").tenant("acme").permissions(java.util.Set.of("keys:manage")));
        otherManager = h.issue(NewKey.builder("sk_live").tenant("globex").permissions(java.util.Set.of("keys:manage")));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    // ---- helpers ----

    static Exchange admin(IssuedKey caller, String method, String path, String body) {
        return h.json(method, "/admin" + path, body, "Authorization", JettyHarness.bearer(caller.plaintext()));
    }

    /** Creates a client through the admin API; answers {clientId, clientSecret}. */
    static JsonNode newClient(String body) {
        Exchange e = admin(admin, "POST", "/clients", body);
        assertEquals(201, e.status(), e.body());
        return e.json();
    }

    static String basic(String id, String secret) {
        String pair = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    static Exchange tokenRequest(String form, String... headers) {
        HttpRequest.Builder b = h.request("/oauth/token").header("Content-Type", "application/x-www-form-urlencoded");
        if (headers.length > 0) b.headers(headers);
        return h.send(b.POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    static Exchange token(JsonNode client, String scope) {
        String form = "grant_type=client_credentials" + (scope == null ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        return tokenRequest(form, "Authorization", basic(client.get("clientId").asText(), client.get("clientSecret").asText()));
    }

    static String accessToken(JsonNode client, String scope) {
        Exchange e = token(client, scope);
        assertEquals(200, e.status(), e.body());
        return e.json().get("access_token").asText();
    }

    static void oauthError(Exchange e, int status, String error) {
        assertEquals(status, e.status(), e.body());
        assertEquals(error, e.json().get("error").asText(), e.body());
        assertTrue(e.json().get("error_description").isTextual());
        assertEquals("no-store", e.header("Cache-Control"));
        assertEquals("no-cache", e.header("Pragma"));
        assertTrue(e.header("Content-Type").startsWith("application/json"), e.header("Content-Type"));
    }

    static Exchange call(String method, String path, String token) {
        return h.send(h.request(path).header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    // ---- the round trip ----

    @Test
    void aClientMadeByTheAdminApiGetsATokenAndPassesTheFilter() {
        Exchange created = admin(admin, "POST", "/clients", """
                {"name": "nightly export", "tenant": "acme", "roles": ["editor"], "permissions": ["billing:read"],
                 "ratelimits": [{"name": "burst", "limit": 100, "duration": "PT1S"}]}""");
        assertEquals(201, created.status(), created.body());
        JsonNode c = created.json();
        String id = c.get("clientId").asText(), secret = c.get("clientSecret").asText();
        assertTrue(id.startsWith("client_"), id);
        assertTrue(secret.startsWith("cs_"), "secret in the key format");
        assertEquals("/admin/clients/" + id, created.header("Location"));
        assertEquals("no-store", created.header("Cache-Control"));
        assertEquals("acme", c.get("tenant").asText());
        assertEquals("active", c.get("status").asText());

        Exchange read = admin(admin, "GET", "/clients/" + id, null);
        assertEquals(200, read.status());
        assertNull(read.json().get("clientSecret"), "the secret is shown once");
        assertFalse(read.body().contains(secret));

        Exchange t = token(c, null);
        assertEquals(200, t.status(), t.body());
        assertEquals("no-store", t.header("Cache-Control"));
        assertEquals("no-cache", t.header("Pragma"));
        assertTrue(t.header("Content-Type").startsWith("application/json"));
        JsonNode tok = t.json();
        assertEquals("Bearer", tok.get("token_type").asText());
        assertEquals(300, tok.get("expires_in").asInt());
        assertEquals("billing:read documents:read documents:write", tok.get("scope").asText());
        String jwt = tok.get("access_token").asText();
        assertTrue(JwtVerifier.looksLikeJwt(jwt));

        Exchange ok = call("GET", "/api/documents/1", jwt);
        assertEquals(200, ok.status(), ok.body());
        assertEquals("JWT", ok.json().get("authType").asText());
        assertTrue(ok.json().get("principal").asText().startsWith("jwt:"));
        assertEquals("\"burst\";q=100;w=1", ok.header("RateLimit-Policy"));
        assertEquals(200, call("POST", "/api/documents/1", jwt).status());

        // Form-field credentials work as well as Basic.
        Exchange form = tokenRequest("grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret + "&scope=documents%3Aread");
        assertEquals(200, form.status(), form.body());
        assertEquals("documents:read", form.json().get("scope").asText());
        assertEquals(200, call("GET", "/api/documents/2", form.json().get("access_token").asText()).status());

        // API keys keep working beside tokens, through the same filter.
        IssuedKey key = h.issue(NewKey.builder("sk_live").tenant("acme").roles(java.util.Set.of("editor")));
        Exchange byKey = h.get("/api/documents/1", "Authorization", JettyHarness.bearer(key.plaintext()));
        assertEquals(200, byKey.status());
        assertEquals("API_KEY", byKey.json().get("authType").asText());
    }

    @Test
    void aNarrowedScopeIsEnforcedByTheRoutes() {
        JsonNode c = newClient("{\"tenant\": \"acme\", \"roles\": [\"editor\"]}");
        String readOnly = accessToken(c, "documents:read");
        assertEquals(200, call("GET", "/api/documents/9", readOnly).status());
        Exchange denied = call("POST", "/api/documents/9", readOnly);
        problem(denied, 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertEquals("Bearer realm=\"api\", error=\"insufficient_scope\"", denied.header("WWW-Authenticate"));
        oauthError(token(c, "billing:read"), 400, "invalid_scope");
    }

    // ---- token endpoint errors ----

    @Test
    void tokenEndpointErrorsFollowRfc6749() {
        JsonNode c = newClient("{\"tenant\": \"acme\", \"permissions\": [\"documents:read\"]}");
        String id = c.get("clientId").asText(), secret = c.get("clientSecret").asText();

        Exchange wrongBasic = tokenRequest("grant_type=client_credentials", "Authorization", basic(id, secret.substring(0, secret.length() - 1) + (secret.endsWith("x") ? "y" : "x")));  // never the secret itself
        oauthError(wrongBasic, 401, "invalid_client");
        assertTrue(wrongBasic.header("WWW-Authenticate").startsWith("Basic realm="), wrongBasic.header("WWW-Authenticate"));
        Exchange wrongForm = tokenRequest("grant_type=client_credentials&client_id=" + id + "&client_secret=cs_nope");
        oauthError(wrongForm, 401, "invalid_client");
        // Issue 14 #10: a Basic challenge to a client that posted its credentials in the form makes oauth4webapi and
        // openid-client report a challenge instead of the invalid_client error.
        assertNull(wrongForm.header("WWW-Authenticate"), "only a client that used the Authorization header is challenged");
        Exchange noCredentials = tokenRequest("grant_type=client_credentials");
        oauthError(noCredentials, 401, "invalid_client");
        assertNull(noCredentials.header("WWW-Authenticate"));
        Exchange otherScheme = tokenRequest("grant_type=client_credentials", "Authorization", "Bearer " + secret.substring(0, 10));
        oauthError(otherScheme, 401, "invalid_client");
        assertTrue(otherScheme.header("WWW-Authenticate").startsWith("Basic realm="), "told which scheme works");
        Exchange unknown = tokenRequest("grant_type=client_credentials", "Authorization", basic("client_unknown", secret));
        assertEquals(wrongBasic.json().get("error_description"), unknown.json().get("error_description"), "unknown and wrong alike");

        oauthError(tokenRequest("grant_type=password&username=a&password=b", "Authorization", basic(id, secret)), 400, "unsupported_grant_type");
        oauthError(tokenRequest("grant_type=client_credentials&client_secret=" + secret, "Authorization", basic(id, secret)), 400, "invalid_request");
        oauthError(tokenRequest("grant_type=client_credentials&grant_type=client_credentials", "Authorization", basic(id, secret)), 400, "invalid_request");

        Exchange get = h.get("/oauth/token");
        oauthError(get, 405, "invalid_request");
        assertEquals("POST", get.header("Allow"));
        Exchange json = h.json("POST", "/oauth/token", "{\"grant_type\":\"client_credentials\"}", "Authorization", basic(id, secret));
        oauthError(json, 400, "invalid_request");
        assertEquals("close", json.header("Connection"), "refused before its body was read: the connection is not reused");
        Exchange inUrl = h.send(h.request("/oauth/token?client_secret=x").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build());
        oauthError(inUrl, 400, "invalid_request");
        Exchange big = tokenRequest("grant_type=client_credentials&scope=" + "a".repeat(9000), "Authorization", basic(id, secret));
        assertEquals(413, big.status(), big.body());

        // Revoked through the admin API: the same invalid_client as a wrong secret.
        Exchange revoked = admin(admin, "POST", "/clients/" + id + "/revoke", "{\"reason\": \"rotated out\"}");
        assertEquals(200, revoked.status(), revoked.body());
        assertEquals("revoked", revoked.json().get("status").asText());
        oauthError(token(c, null), 401, "invalid_client");
    }

    // ---- JWKS, rotation, bad tokens ----

    @Test
    void jwksIsServedAndVerifiesATokenIndependently() throws Exception {
        JsonNode c = newClient("{\"tenant\": \"acme\", \"permissions\": [\"documents:read\"]}");
        String jwt = accessToken(c, null);
        Exchange e = h.get("/.well-known/jwks.json");
        assertEquals(200, e.status());
        assertEquals("application/json", e.header("Content-Type"));
        assertTrue(e.header("Cache-Control").matches("public, max-age=\\d+"), e.header("Cache-Control"));
        JWKSet set = JWKSet.parse(e.body());
        for (JWK k : set.getKeys()) assertFalse(k.isPrivate(), "public keys only");
        assertFalse(e.body().contains("\"d\""));
        SignedJWT parsed = SignedJWT.parse(jwt);
        ECKey key = (ECKey) set.getKeyByKeyId(parsed.getHeader().getKeyID());
        assertNotNull(key, "the token's kid is published");
        assertTrue(parsed.verify(new ECDSAVerifier(key)), "Nimbus verifies the token with the published key");
        assertEquals(c.get("clientId").asText(), parsed.getJWTClaimsSet().getSubject());
        assertEquals(405, h.json("POST", "/.well-known/jwks.json", "{}").status());
        assertEquals("trace-me", h.json("POST", "/.well-known/jwks.json", "{}", "X-Request-Id", "trace-me").json().get("requestId").asText(),
                "the request id is the client's (docs/contract.md §3)");
    }

    /** Issue 14 #10: what oauth4webapi's and openid-client's discovery read, and a token got by following it. */
    @Test
    void rfc8414MetadataLeadsToTheTokenEndpointAndTheKeys() throws Exception {
        Exchange e = h.get(AuthorizationServerMetadataServlet.WELL_KNOWN);
        assertEquals(200, e.status(), e.body());
        assertTrue(e.header("Content-Type").startsWith("application/json"), e.header("Content-Type"));
        assertTrue(e.header("Cache-Control").matches("public, max-age=\\d+"), e.header("Cache-Control"));
        JsonNode m = e.json();
        assertEquals(ISS, m.get("issuer").asText());
        assertEquals(ISS + "/oauth/token", m.get("token_endpoint").asText());
        assertEquals(ISS + "/.well-known/jwks.json", m.get("jwks_uri").asText());
        assertEquals("[\"client_credentials\"]", m.get("grant_types_supported").toString());
        assertEquals("[\"client_secret_basic\",\"client_secret_post\"]", m.get("token_endpoint_auth_methods_supported").toString());
        assertEquals("[]", m.get("response_types_supported").toString());
        assertEquals("[\"documents:read\",\"documents:write\"]", m.get("scopes_supported").toString());
        assertEquals(200, h.send(h.request(AuthorizationServerMetadataServlet.WELL_KNOWN).method("HEAD", HttpRequest.BodyPublishers.noBody()).build()).status());
        assertEquals(405, h.json("POST", AuthorizationServerMetadataServlet.WELL_KNOWN, "{}").status());

        // Followed as a client would (the issuer's host is this Jetty, as behind a proxy): the token's iss is the
        // metadata's issuer, and its key is in the published set.
        JsonNode c = newClient("{\"tenant\": \"acme\", \"permissions\": [\"documents:read\"]}");
        String tokenPath = URI.create(m.get("token_endpoint").asText()).getPath();
        Exchange t = h.send(h.request(tokenPath).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + c.get("clientId").asText()
                        + "&client_secret=" + c.get("clientSecret").asText())).build());
        assertEquals(200, t.status(), t.body());
        SignedJWT jwt = SignedJWT.parse(t.json().get("access_token").asText());
        assertEquals(m.get("issuer").asText(), jwt.getJWTClaimsSet().getIssuer());
        JWKSet keys = JWKSet.parse(h.get(URI.create(m.get("jwks_uri").asText()).getPath()).body());
        assertNotNull(keys.getKeyByKeyId(jwt.getHeader().getKeyID()));
    }

    @Test
    void aTokenSignedBeforeRotationPassesUntilItExpires() throws Exception {
        JsonNode c = newClient("{\"tenant\": \"acme\", \"permissions\": [\"documents:read\"]}");
        String before = accessToken(c, null);
        String oldKid = SignedJWT.parse(before).getHeader().getKeyID();
        signing.rotate();
        String after = accessToken(c, null);
        assertNotEquals(oldKid, SignedJWT.parse(after).getHeader().getKeyID());
        JWKSet published = JWKSet.parse(h.get("/.well-known/jwks.json").body());
        assertNotNull(published.getKeyByKeyId(oldKid), "the retired key stays published");
        assertEquals(200, call("GET", "/api/documents/1", before).status());
        assertEquals(200, call("GET", "/api/documents/1", after).status());

        h.clock.advance(Duration.ofMinutes(5).plusSeconds(61)); // lifetime plus the verifier's skew
        Exchange expired = call("GET", "/api/documents/1", before);
        problem(expired, 401, "EXPIRED", "Expired key");
        assertEquals("Bearer realm=\"api\", error=\"invalid_token\"", expired.header("WWW-Authenticate"));
        assertEquals(200, call("GET", "/api/documents/1", accessToken(c, null)).status(), "a fresh token passes");
    }

    @Test
    void algNoneAndTamperedTokensAre401() {
        JsonNode c = newClient("{\"tenant\": \"acme\", \"permissions\": [\"documents:read\"]}");
        String jwt = accessToken(c, null);
        String[] parts = jwt.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2];
        Exchange e1 = call("GET", "/api/documents/1", none);
        problem(e1, 401, "MALFORMED", "Malformed credential");
        assertEquals("token algorithm not accepted", e1.json().get("detail").asText());
        assertEquals("Bearer realm=\"api\", error=\"invalid_token\"", e1.header("WWW-Authenticate"));

        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"documents:read\"", "\"documents:write\"");
        String tampered = parts[0] + "." + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        Exchange e2 = call("POST", "/api/documents/1", tampered);
        problem(e2, 401, "MALFORMED", "Malformed credential");
        assertEquals("token signature invalid", e2.json().get("detail").asText());
        assertFalse(e2.body().contains(parts[1]));
    }

    // ---- rate limits for JWT subjects ----

    @Test
    void aClientOverItsRateLimitGets429WithTheSameFieldsAndDenialsDoNotConsume() {
        JsonNode c = newClient("""
                {"tenant": "acme", "permissions": ["documents:read"], "ratelimits": [{"name": "burst", "limit": 2, "duration": "PT1S"}]}""");
        String a = accessToken(c, null), b = accessToken(c, null);
        for (int i = 0; i < 3; i++) problem(call("POST", "/api/documents/1", a), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        Exchange first = call("GET", "/api/documents/1", a);
        assertEquals(200, first.status());
        assertEquals("\"burst\";q=2;w=1", first.header("RateLimit-Policy"));
        assertTrue(first.header("RateLimit").startsWith("\"burst\";r=1;"), first.header("RateLimit"));
        assertEquals(200, call("GET", "/api/documents/1", b).status(), "the second token shares the client's bucket");
        Exchange limited = call("GET", "/api/documents/1", a);
        problem(limited, 429, "RATE_LIMITED", "Rate limit exceeded");
        assertEquals("1", limited.header("Retry-After"));
        assertEquals("\"burst\";q=2;w=1", limited.header("RateLimit-Policy"));
        assertTrue(limited.header("RateLimit").startsWith("\"burst\";r=0;"), limited.header("RateLimit"));
        h.clock.advance(Duration.ofSeconds(1));
        assertEquals(200, call("GET", "/api/documents/1", b).status());
    }

    @Test
    void anUnmatchedRouteDeniesATokenAfterAuthenticationWithoutUsingItsLimits() {
        JsonNode c = newClient("""
                {"tenant": "acme", "permissions": ["documents:read"], "ratelimits": [{"name": "burst", "limit": 1, "duration": "PT1S"}]}""");
        String t = accessToken(c, null);
        for (int i = 0; i < 3; i++) {
            Exchange e = call("GET", "/api/elsewhere", t);
            assertEquals("no route allows this request", problem(e, 403, "FORBIDDEN", "Forbidden").get("detail").asText());
        }
        problem(call("GET", "/api/elsewhere", t.substring(0, t.length() - 2) + "xx"), 401, "MALFORMED", "Malformed credential");
        assertEquals(200, call("GET", "/api/documents/1", t).status(), "the denials took nothing from the bucket");
    }

    @Test
    void aFilterDeclaredByInitParamsFindsTheJwtVerifierInTheContext() {
        JsonNode c = newClient("{\"tenant\": \"acme\"}");
        Exchange e = call("GET", "/declared/anything", accessToken(c, null));
        assertEquals(200, e.status(), e.body());
        assertEquals("JWT", e.json().get("authType").asText());
        // A JWT-shaped value in X-API-Key is not a bearer token: it goes to the key verifier and fails there.
        Exchange asKey = h.get("/declared/anything", "X-API-Key", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
        assertEquals(401, asKey.status());
    }

    // ---- /clients rules ----

    @Test
    void clientsFollowTheCallerRulesOfKeys() {
        Exchange own = admin(manager, "POST", "/clients", "{\"name\": \"acme job\", \"permissions\": [\"documents:read\"]}");
        assertEquals(201, own.status(), own.body());
        assertEquals("acme", own.json().get("tenant").asText(), "a manager's clients are in its tenant");
        String id = own.json().get("clientId").asText();

        problem(admin(manager, "POST", "/clients", "{\"tenant\": \"globex\"}"), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        Exchange escalate = admin(manager, "POST", "/clients", "{\"permissions\": [\"keys:admin\"]}");
        problem(escalate, 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertTrue(escalate.json().get("detail").asText().startsWith("permissions:"));
        problem(admin(manager, "PATCH", "/clients/" + id, "{\"permissions\": [\"*:*\"]}"), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");

        problem(admin(otherManager, "GET", "/clients/" + id, null), 404, "RESOURCE_NOT_FOUND", "Not found");
        problem(admin(otherManager, "POST", "/clients/" + id + "/revoke", "{}"), 404, "RESOURCE_NOT_FOUND", "Not found");
        problem(admin(otherManager, "GET", "/clients?tenant=acme", null), 404, "RESOURCE_NOT_FOUND", "Not found");
        Exchange list = admin(otherManager, "GET", "/clients", null);
        assertEquals(200, list.status());
        for (JsonNode item : list.json().get("items")) assertEquals("globex", item.get("tenant").asText());

        Exchange all = admin(admin, "GET", "/clients?tenant=acme&limit=1", null);
        assertEquals(200, all.status());
        assertEquals(1, all.json().get("items").size());
        assertTrue(all.json().get("nextCursor").isTextual());
        Exchange next = admin(admin, "GET", "/clients?tenant=acme&limit=1&cursor=" + all.json().get("nextCursor").asText(), null);
        assertEquals(200, next.status());
        assertNotEquals(all.json().get("items").get(0).get("clientId"), next.json().get("items").get(0).get("clientId"));

        Exchange patched = admin(manager, "PATCH", "/clients/" + id, "{\"name\": \"renamed\", \"ratelimits\": [{\"name\": \"burst\", \"limit\": 5, \"duration\": \"PT1S\"}]}");
        assertEquals(200, patched.status(), patched.body());
        assertEquals("renamed", patched.json().get("name").asText());
        assertEquals(2, patched.json().get("version").asInt());
        List<AuditEvent> events = h.audit.find(Optional.empty(), Optional.of(id), 10, Optional.empty()).items();
        assertEquals(List.of("client.update", "client.create"), events.stream().map(AuditEvent::action).toList());
        assertEquals(manager.key().id(), events.get(0).actor());
        assertEquals(List.of("acme job", "renamed"), events.get(0).changes().get("name"));
    }

    @Test
    void badClientBodiesAnswer400NamingTheField() {
        JsonNode c = newClient("{\"tenant\": \"acme\"}");
        String id = c.get("clientId").asText();
        assertEquals("permissions[0]: not a permission (resource:action[:instance])",
                problem(admin(admin, "POST", "/clients", "{\"permissions\": [\"nope\"]}"), 400, "INVALID_REQUEST", "Invalid request").get("detail").asText());
        assertEquals("ratelimits[0].limit: is required",
                problem(admin(admin, "POST", "/clients", "{\"ratelimits\": [{\"name\": \"b\", \"duration\": \"PT1S\"}]}"), 400, "INVALID_REQUEST", "Invalid request").get("detail").asText());
        assertEquals("colour: unknown field",
                problem(admin(admin, "POST", "/clients", "{\"colour\": \"red\"}"), 400, "INVALID_REQUEST", "Invalid request").get("detail").asText());
        assertEquals("clientSecret: cannot be changed",
                problem(admin(admin, "PATCH", "/clients/" + id, "{\"clientSecret\": \"x\"}"), 400, "INVALID_REQUEST", "Invalid request").get("detail").asText());
        assertEquals("tenant: cannot be changed",
                problem(admin(admin, "PATCH", "/clients/" + id, "{\"tenant\": \"x\"}"), 400, "INVALID_REQUEST", "Invalid request").get("detail").asText());
        problem(admin(admin, "DELETE", "/clients/" + id, null), 405, "METHOD_NOT_ALLOWED", "Method not allowed");
        problem(admin(admin, "GET", "/clients/client_missing", null), 404, "RESOURCE_NOT_FOUND", "Not found");
        assertEquals(401, h.json("GET", "/admin/clients", null).status());
        Exchange disabled = admin(admin, "POST", "/clients/" + id + "/disable", "{}");
        assertEquals("disabled", disabled.json().get("status").asText());
        assertEquals("active", admin(admin, "POST", "/clients/" + id + "/enable", null).json().get("status").asText());
    }

    @Test
    void withoutAClientManagerClientsAre404() {
        Exchange e = h.json("POST", "/plain-admin/clients", "{}", "Authorization", JettyHarness.bearer(admin.plaintext()));
        problem(e, 404, "RESOURCE_NOT_FOUND", "Not found");
    }
}
