package dev.keys.jwt.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.jdbc.JdbcStores;
import dev.keys.jwt.JwtVerifier;
import dev.keys.jwt.SigningKeys;
import dev.keys.jwt.oauth.TokenService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import dev.keys.servlet.ApiKeyFilter;
import dev.keys.servlet.KeyAdminServlet;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;

import static dev.keys.servlet.harness.JettyHarness.problem;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14 #4 over real HTTP: two instances (two Jettys, each with its own verifier and JDBC client store) on one
 * PostgreSQL database. A client revoked or disabled through the admin API of A is refused 401 on A from the next
 * request, and on B within the propagation bound, found by advancing B's manual clock, never by sleeping.
 */
class ClientRevocationHttpTest {
    static final String ISS = "https://auth.example", AUD = "https://api.example";
    static final Roles ROLES = Roles.builder().role("reader", List.of("documents:read")).build();
    static final Duration BOUND = Duration.ofSeconds(1);
    static final String URL_VARIABLE = "KEYS_TEST_JDBC_URL";
    static final String BASE_URL = System.getenv().getOrDefault(URL_VARIABLE, "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final String SCHEMA = "keys_jwt_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);

    static JettyHarness a, b;
    static IssuedKey admin;

    @BeforeAll
    static void start() throws Exception {
        createSchema();
        a = new JettyHarness(ROLES);
        b = new JettyHarness(ROLES);
        SigningKeys signing = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofHours(1), a.clock);

        JdbcStores storesA = JdbcStores.builder(dataSource()).migrate(true).build();
        JwtVerifier jwtA = JwtVerifier.builderForIssuer(signing, ISS, AUD).roles(ROLES).clock(a.clock)
                .clients(storesA.clientStore()).clientsRefresh(BOUND).build();
        ClientManager clients = ClientManager.builder(jwtA.clientStore()).clock(a.clock).build();
        TokenService tokens = TokenService.builder(clients, signing).issuer(ISS).audience(AUD).roles(ROLES)
                .lifetime(Duration.ofMinutes(5)).clock(a.clock).build();
        a.filter("/api/*", ApiKeyFilter.builder(a.keys.verifier()).jwt(jwtA).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet("/admin/*", KeyAdminServlet.builder(a.keys).clients(clients).build())
                .servlet("/oauth/token", TokenEndpointServlet.builder(tokens).build())
                .start();

        JdbcStores storesB = JdbcStores.builder(dataSource()).build();
        JwtVerifier jwtB = JwtVerifier.builderForIssuer(signing, ISS, AUD).roles(ROLES).clock(b.clock)
                .clients(storesB.clientStore()).clientsRefresh(BOUND).build();
        b.filter("/api/*", ApiKeyFilter.builder(b.keys.verifier()).jwt(jwtB).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .start();
        admin = a.issue(NewKey.builder("sk_live").permissions(Set.of("keys:admin")));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (a != null) a.assertNoLeaks();
        } finally {
            if (b != null) b.close();     // in reverse: each harness restores the System.out it found
            if (a != null) a.close();
            dropSchema();
        }
    }

    /** A fresh schema in the database of {@value #URL_VARIABLE}; PostgreSQL unreachable skips the class, but with CI=true. */
    static void createSchema() {
        DriverManager.setLoginTimeout(3);
        try (Connection c = DriverManager.getConnection(BASE_URL); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + SCHEMA);
        } catch (SQLException e) {
            String why = "PostgreSQL is not reachable at " + URL_VARIABLE + " (" + e.getMessage() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail("CI=true: " + why, e);
            Assumptions.abort(why);
        }
    }

    static void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(BASE_URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    static PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(BASE_URL + (BASE_URL.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA);
        return ds;
    }

    static Exchange adminCall(String path, String body) {
        Exchange e = a.json("POST", "/admin" + path, body, "Authorization", JettyHarness.bearer(admin.plaintext()));
        assertTrue(e.status() == 200 || e.status() == 201, e.body());
        return e;
    }

    static String token(JsonNode client) {
        Exchange e = a.send(a.request("/oauth/token").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + client.get("clientId").asText()
                        + "&client_secret=" + client.get("clientSecret").asText())).build());
        assertEquals(200, e.status(), e.body());
        return e.json().get("access_token").asText();
    }

    static Exchange call(JettyHarness h, String token) {
        return h.get("/api/documents/1", "Authorization", JettyHarness.bearer(token));
    }

    /**
     * The first answer on {@code h} that is not 200, advancing its clock in steps of a tenth of the bound: fails if
     * the token still passes once the bound is over.
     */
    static Exchange firstRefusal(JettyHarness h, String token) {
        Duration step = BOUND.dividedBy(10), waited = Duration.ZERO;
        for (;;) {
            Exchange e = call(h, token);
            if (e.status() != 200) return e;
            assertTrue(waited.compareTo(BOUND) < 0, "still 200 on the other instance after the propagation bound " + BOUND);
            h.clock.advance(step);
            waited = waited.plus(step);
        }
    }

    static void refused(Exchange e, String detail) {
        problem(e, 401, "REVOKED", "Revoked key");
        assertEquals(detail, e.json().get("detail").asText());
        assertEquals("Bearer realm=\"api\", error=\"invalid_token\"", e.header("WWW-Authenticate"));
    }

    @Test
    void aRevokedClientsTokenIs401OnBothInstances() {
        JsonNode client = adminCall("/clients", "{\"name\": \"export\", \"roles\": [\"reader\"]}").json();
        String token = token(client);
        assertEquals(200, call(a, token).status());
        assertEquals(200, call(b, token).status(), "B reads the client from the shared database");

        adminCall("/clients/" + client.get("clientId").asText() + "/revoke", "{\"reason\": \"leaked\"}");
        refused(call(a, token), "token's client is revoked");
        refused(firstRefusal(b, token), "token's client is revoked");
        refused(call(b, token), "token's client is revoked");
    }

    @Test
    void aDisabledClientsTokenIs401OnBothInstancesAndPassesAgainOnceEnabled() {
        JsonNode client = adminCall("/clients", "{\"name\": \"nightly\", \"roles\": [\"reader\"]}").json();
        String id = client.get("clientId").asText(), token = token(client);
        assertEquals(200, call(b, token).status());

        adminCall("/clients/" + id + "/disable", "{}");
        refused(call(a, token), "token's client is disabled");
        refused(firstRefusal(b, token), "token's client is disabled");

        adminCall("/clients/" + id + "/enable", null);
        assertEquals(200, call(a, token).status());
        b.clock.advance(BOUND);
        assertEquals(200, call(b, token).status());
    }
}
