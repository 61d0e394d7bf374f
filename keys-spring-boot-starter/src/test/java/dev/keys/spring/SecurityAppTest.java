package dev.keys.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.format.KeyFormat;
import dev.keys.servlet.ApiKeyPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.keys.spring.Http.bearer;
import static dev.keys.spring.Http.problem;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A servlet application with Spring Security and no SecurityFilterChain of its own, and no DataSource: the
 * starter's chain authenticates /api/* and the admin API by key, the store is in memory (with a warning), and the
 * first admin key is created and logged once.
 */
@SpringBootTest(classes = SecurityAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.shutdown=immediate",
        "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "keys.roles.reader=documents:read",
        "keys.roles.writer=documents:read,documents:write"})
class SecurityAppTest {
    static final LogCapture LOG = new LogCapture();
    static final String ORIGIN = "https://app.example";
    static final Pattern CREATED = Pattern.compile("admin key (key_\\w+) was created.*: (admin_live_\\w+)");

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableMethodSecurity
    @Import(Api.class)
    static class App {
    }

    @RestController
    @CrossOrigin(origins = ORIGIN)
    static class Api {
        @GetMapping("/api/me")
        Map<String, Object> me(HttpServletRequest request, Principal principal, @AuthenticationPrincipal ApiKeyPrincipal key) {
            Authentication auth = SecurityContextHolder.getContext().getAuthentication();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("principal", principal.getName());
            m.put("keyId", key.key().id());
            m.put("authentication", auth.getClass().getSimpleName());
            m.put("authorities", auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).sorted().toList());
            m.put("reader", request.isUserInRole("reader"));
            m.put("remoteUser", request.getRemoteUser());
            return m;
        }

        @GetMapping("/api/documents")
        @PreAuthorize("hasAuthority('documents:read')")
        List<String> documents() {
            return List.of("a", "b");
        }

        @PostMapping("/api/documents")
        @PreAuthorize("hasAuthority('documents:write')")
        @ResponseStatus(HttpStatus.CREATED)
        Map<String, String> create() {
            return Map.of("id", "c");
        }

        @GetMapping("/api/broken")
        String broken() {
            throw new IllegalStateException("a bug in the application");
        }

        @GetMapping("/hello")
        String hello() {
            return "hello";
        }
    }

    @LocalServerPort
    int port;

    static String adminKey;

    /** Not in the surefire execution that removes Spring Security (a -Dtest run reaches it too). */
    @BeforeAll
    static void withSpringSecurity() {
        assumeTrue(ClassUtils.isPresent("org.springframework.security.web.SecurityFilterChain", null), "Spring Security is not on the class path");
    }

    Http http() {
        return new Http(port);
    }

    String admin() {
        if (adminKey == null) {
            List<String> created = LOG.lines().stream().filter(l -> CREATED.matcher(l).find()).toList();
            assertEquals(1, created.size(), "the created admin key is logged exactly once: " + LOG.lines());
            assertTrue(created.get(0).startsWith("WARNING"), created.get(0));
            Matcher m = CREATED.matcher(created.get(0));
            assertTrue(m.find());
            adminKey = m.group(2);
            assertTrue(KeyFormat.isWellFormed(adminKey));
        }
        return adminKey;
    }

    String key(String role) {
        return http().createKey(admin(), "{\"name\":\"" + role + "\",\"prefix\":\"acme_live\",\"roles\":[\"" + role + "\"]}").get("key").asText();
    }

    @Test
    void withoutADataSourceKeysAreInMemoryAndTheStartSaysSo() {
        assertTrue(LOG.lines().stream().anyMatch(l -> l.startsWith("WARNING") && l.contains("kept in memory and lost at restart")), LOG.lines().toString());
    }

    @Test
    void noKeyAnswersKeysProblemJsonNotSpringSecuritysDefaults() {
        Http.Answer a = http().get("/api/me");
        problem(a, 401, "MISSING");
        assertEquals("Bearer realm=\"api\"", a.header("WWW-Authenticate"));
        Http.Answer post = http().post("/api/documents", "{}");
        problem(post, 401, "MISSING");
        problem(http().get("/admin/v1/keys"), 401, "MISSING");
        problem(http().get("/api/me", "X-API-Key", "acme_live_nonsense"), 401, "MALFORMED");
    }

    @Test
    void aVerifiedKeyIsTheAuthenticationWithPermissionsAndRolesAsAuthorities() {
        String key = key("reader");
        Http.Answer a = http().get("/api/me", "X-API-Key", key);
        assertEquals(200, a.status(), a.body());
        JsonNode b = a.json();
        assertEquals(b.get("keyId").asText(), b.get("principal").asText(), "the principal survives Spring Security's request wrapper");
        assertEquals(b.get("keyId").asText(), b.get("remoteUser").asText());
        assertEquals("KeyAuthentication", b.get("authentication").asText());
        assertEquals(List.of("ROLE_reader", "documents:read"), Http.JSON.convertValue(b.get("authorities"), List.class));
        assertTrue(b.get("reader").asBoolean());
    }

    @Test
    void aRoleDefinedAtRunTimeChangesTheAuthoritiesOfAKeyAlreadyVerified() {
        String role = "publisher";
        assertEquals(200, putRole(role, "[\"documents:read\"]").status());
        String key = key(role);
        assertEquals(List.of("ROLE_publisher", "documents:read"), Http.JSON.convertValue(http().get("/api/me", "X-API-Key", key).json().get("authorities"), List.class));
        problem(http().post("/api/documents", "{}", "Authorization", bearer(key)), 403, "INSUFFICIENT_PERMISSIONS");
        Http.Answer put = putRole(role, "[\"documents:read\",\"documents:write\"]");
        assertEquals(200, put.status(), put.body());
        assertEquals(201, http().post("/api/documents", "{}", "Authorization", bearer(key)).status(), "the same cached key, the new role");
        Http.Answer gone = http().send(http().request("/admin/v1/roles/" + role, "Authorization", bearer(admin())).DELETE().build());
        assertEquals(204, gone.status(), gone.body());
        problem(http().post("/api/documents", "{}", "Authorization", bearer(key)), 403, "INSUFFICIENT_PERMISSIONS");
    }

    Http.Answer putRole(String name, String permissions) {
        return http().send(http().request("/admin/v1/roles/" + name, "Authorization", bearer(admin()), "Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"permissions\":" + permissions + "}")).build());
    }

    @Test
    void preAuthorizeDecidesByThePermissionsAndDenialsAreKeysProblemJson() {
        assertPreAuthorizeDecidesAndAKeyNeedsNoCsrfToken(http(), this::key);
    }

    /** GET /api/documents needs documents:read, POST documents:write, by {@code @PreAuthorize} (servlet and WebFlux alike). */
    static void assertPreAuthorizeDecidesAndAKeyNeedsNoCsrfToken(Http http, Function<String, String> keyOfRole) {
        String reader = keyOfRole.apply("reader");
        assertEquals(200, http.get("/api/documents", "Authorization", bearer(reader)).status());
        Http.Answer refused = http.post("/api/documents", "{}", "Authorization", bearer(reader));
        problem(refused, 403, "INSUFFICIENT_PERMISSIONS");
        assertEquals("Bearer realm=\"api\", error=\"insufficient_scope\"", refused.header("WWW-Authenticate"));
        Http.Answer written = http.post("/api/documents", "{}", "Authorization", bearer(keyOfRole.apply("writer")));
        assertEquals(201, written.status(), "a key-authenticated POST needs no CSRF token: " + written.body());
    }

    @Test
    void theAdminApiTakesAKeyAndNoCsrfToken() {
        Http.Answer created = http().post("/admin/v1/keys", "{\"name\":\"ci\",\"prefix\":\"acme_live\"}", "Authorization", bearer(admin()));
        assertEquals(201, created.status(), created.body());
        Http.Answer notAdmin = http().get("/admin/v1/keys", "Authorization", bearer(key("reader")));
        problem(notAdmin, 403, "INSUFFICIENT_PERMISSIONS");
        assertEquals("Bearer realm=\"admin\", error=\"insufficient_scope\"", notAdmin.header("WWW-Authenticate"));
    }

    @Test
    void preflightsPassAndCrossOriginDenialsCarryCorsHeaders() {
        http().assertPreflightPassesAndDenialCarriesCors("/api/me", ORIGIN);
    }

    @Test
    void aFailingControllerAnswersItsErrorNotA401() {
        Http.Answer a = http().get("/api/broken", "X-API-Key", key("reader"));
        assertEquals(500, a.status(), "the error dispatch keeps the key's authentication: " + a.body());
    }

    @Test
    void otherPathsKeepSpringBootsDefaultSecurity() {
        Http.Answer a = http().get("/hello");
        assertEquals(401, a.status());
        assertTrue(a.header("WWW-Authenticate").startsWith("Basic"), a.header("WWW-Authenticate"));
    }
}
