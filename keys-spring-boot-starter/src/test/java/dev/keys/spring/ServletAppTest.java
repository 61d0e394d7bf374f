package dev.keys.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.format.KeyFormat;
import dev.keys.servlet.ApiKeyFilter;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import javax.sql.DataSource;
import java.security.Principal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.keys.spring.Http.bearer;
import static dev.keys.spring.Http.problem;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A servlet application without Spring Security (run with Spring Security removed from the class path: see the
 * module's pom), an H2 DataSource, and nothing of keys but properties: the starter wires the JDBC store, the
 * filter, the admin API with its audit and usage logs, and imports the bootstrap admin key.
 */
@SpringBootTest(classes = ServletAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.shutdown=immediate",
        "spring.datasource.url=jdbc:h2:mem:keys-servlet;DB_CLOSE_DELAY=-1",
        "keys.routes=GET /api/hello -> hello:read\\nGET /api/documents/{id} -> documents:read",
        "keys.roles.reader=hello:read, documents:read",
        "keys.tenants.acme.ceiling.roles=reader",
        "keys.tiers.free.ratelimits.burst.limit=2",
        "keys.tiers.free.ratelimits.burst.duration=1m",
        "management.endpoints.web.exposure.include=health,metrics",
        "management.endpoint.health.show-details=always"})
class ServletAppTest {
    static final String BOOTSTRAP = new KeyFormat().generate("ops_live");
    static final String ORIGIN = "https://app.example";

    /** Only in the surefire execution that removes Spring Security (a -Dtest run reaches the other one too). */
    @BeforeAll
    static void withoutSpringSecurity() {
        assumeFalse(ClassUtils.isPresent("org.springframework.security.web.SecurityFilterChain", null), "Spring Security is on the class path");
    }

    @DynamicPropertySource
    static void bootstrapKey(DynamicPropertyRegistry r) {
        r.add("keys.admin.bootstrap-key", () -> BOOTSTRAP);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Api.class)
    static class App {
    }

    @RestController
    @CrossOrigin(origins = ORIGIN, exposedHeaders = {"RateLimit", "RateLimit-Policy", "Retry-After", "X-Request-Id"})
    static class Api {
        @GetMapping("/api/hello")
        Map<String, Object> hello(HttpServletRequest request, Principal principal) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("principal", principal.getName());
            m.put("principalClass", principal.getClass().getSimpleName());
            m.put("reader", request.isUserInRole("reader"));
            m.put("authType", request.getAuthType());
            m.put("verified", request.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) != null);
            return m;
        }

        @GetMapping("/api/documents/{id}")
        Map<String, Object> document(@PathVariable String id) {
            return Map.of("id", id);
        }

        @GetMapping("/hello")
        String open() {
            return "open";
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    DataSource dataSource;
    @Autowired
    KeysStorage storage;

    Http http() {
        return new Http(port);
    }

    JsonNode reader() {
        return http().createKey(BOOTSTRAP, "{\"name\":\"reports\",\"ownerId\":\"acme\",\"prefix\":\"acme_live\",\"roles\":[\"reader\"]}");
    }

    @Test
    void noKeyAnswers401ProblemJsonWithABearerChallenge() {
        Http.Answer a = http().get("/api/hello");
        problem(a, 401, "MISSING");
        assertEquals("Bearer realm=\"api\"", a.header("WWW-Authenticate"));
        assertEquals("open", http().get("/hello").body(), "paths outside keys.filter.url-patterns are not guarded");
    }

    @Test
    void aKeyFromTheAdminApiIsThePrincipalWithItsRoles() {
        JsonNode k = reader();
        Http.Answer a = http().get("/api/hello", "X-API-Key", k.get("key").asText());
        assertEquals(200, a.status(), a.body());
        JsonNode b = a.json();
        assertEquals(k.get("keyId").asText(), b.get("principal").asText());
        assertEquals("ApiKeyPrincipal", b.get("principalClass").asText());
        assertTrue(b.get("reader").asBoolean());
        assertEquals(ApiKeyFilter.AUTH_TYPE, b.get("authType").asText());
        assertTrue(b.get("verified").asBoolean());
        assertEquals(200, http().get("/api/documents/7", "Authorization", bearer(k.get("key").asText())).status());
    }

    @Test
    void routesComeFromProperties() {
        JsonNode k = http().createKey(BOOTSTRAP, "{\"name\":\"docs only\",\"prefix\":\"acme_live\",\"permissions\":[\"documents:read\"]}");
        Http.Answer a = http().get("/api/hello", "X-API-Key", k.get("key").asText());
        problem(a, 403, "INSUFFICIENT_PERMISSIONS");
        assertEquals("Bearer realm=\"api\", error=\"insufficient_scope\"", a.header("WWW-Authenticate"));
    }

    @Test
    void aTenantsManagerGrantsOnlyWhatItsCeilingCovers() {
        String manager = http().createKey(BOOTSTRAP, "{\"name\":\"acme ops\",\"prefix\":\"acme_live\",\"tenant\":\"acme\","
                + "\"permissions\":[\"keys:manage\"]}").get("key").asText();
        assertEquals(201, http().post("/admin/v1/keys", "{\"name\":\"r\",\"prefix\":\"acme_live\",\"roles\":[\"reader\"]}",
                "Authorization", bearer(manager)).status());
        Http.Answer beyond = http().post("/admin/v1/keys", "{\"name\":\"w\",\"prefix\":\"acme_live\",\"permissions\":[\"documents:write\"]}",
                "Authorization", bearer(manager));
        assertEquals(403, beyond.status(), beyond.body());
    }

    @Test
    void aTierFromPropertiesRateLimitsWith429AndTheRateLimitFields() {
        JsonNode k = http().createKey(BOOTSTRAP, "{\"name\":\"free\",\"prefix\":\"acme_live\",\"roles\":[\"reader\"],\"tier\":\"free\"}");
        http().assertTwoPassThenRateLimited("/api/hello", k.get("key").asText());
    }

    @Test
    void aRevokedKeyAnswers401FromTheNextRequest() {
        JsonNode k = reader();
        String key = k.get("key").asText();
        assertEquals(200, http().get("/api/hello", "X-API-Key", key).status());
        Http.Answer revoke = http().post("/admin/v1/keys/" + k.get("keyId").asText() + "/revoke", "{\"reason\":\"leaked\"}",
                "Authorization", bearer(BOOTSTRAP));
        assertEquals(200, revoke.status(), revoke.body());
        problem(http().get("/api/hello", "X-API-Key", key), 401, "REVOKED");
    }

    @Test
    void aPreflightPassesTheFilterAndACrossOriginDenialCarriesTheApplicationsCorsHeaders() {
        Http.Answer denied = http().assertPreflightPassesAndDenialCarriesCors("/api/hello", ORIGIN);
        assertTrue(denied.header("Access-Control-Expose-Headers").contains("RateLimit"), denied.header("Access-Control-Expose-Headers"));
        Http.Answer other = http().get("/api/hello", "Origin", "https://elsewhere.example");
        problem(other, 401, "MISSING");
        assertNull(other.header("Access-Control-Allow-Origin"), "an origin the application does not allow gets no CORS headers");
    }

    @Test
    void theDataSourceHoldsTheKeysAndTheAdminApiServesAuditAndUsage() throws Exception {
        assertTrue(storage.description().startsWith("JDBC"), storage.description());
        JsonNode k = reader();
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM keys_api_key WHERE id = '" + k.get("keyId").asText() + "'")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
        }
        String id = k.get("keyId").asText();
        Http.Answer audit = http().get("/admin/v1/audit?keyId=" + id, "Authorization", bearer(BOOTSTRAP));
        assertEquals(200, audit.status(), audit.body());
        assertTrue(audit.body().contains("create"), audit.body());
        assertEquals(200, http().get("/admin/v1/keys/" + id + "/usage", "Authorization", bearer(BOOTSTRAP)).status());
    }

    @Test
    void healthReportsTheStoreAndTheChangeFeed() {
        // Written against Spring Boot 4's health API: on Spring Boot 3.5 (keys-spring-boot3-test) there is none.
        assumeTrue(ClassUtils.isPresent("org.springframework.boot.health.contributor.HealthIndicator", null), "Spring Boot 3.5: no keys health indicator");
        http().get("/api/hello");
        Http.Answer health = http().get("/actuator/health/keys");
        assertEquals(200, health.status(), health.body());
        JsonNode h = health.json();
        assertEquals("UP", h.get("status").asText(), health.body());
        assertEquals("reachable", h.get("details").get("store").asText());
        assertTrue(h.get("details").has("changeFeedLag"), health.body());
    }

    @Test
    void theMetersAreRegistered() {
        http().get("/api/hello");
        Http.Answer meter = http().get("/actuator/metrics/keys.verifications");
        assertEquals(200, meter.status(), meter.body());
        assertEquals(200, http().get("/actuator/metrics/keys.cache.size").status());
    }
}
