package dev.keys.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableReactiveMethodSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.security.Principal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.keys.spring.Http.problem;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A WebFlux application (Reactor Netty) with Spring Security, reactive method security and no
 * SecurityWebFilterChain of its own: the starter's chain authenticates /api/* by key, the key is the
 * Authentication of the reactive security context, and the store is never read on an event-loop thread.
 */
@SpringBootTest(classes = ReactiveSecurityAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.shutdown=immediate",
        "spring.main.web-application-type=reactive",
        "keys.roles.reader=documents:read",
        "keys.roles.writer=documents:read,documents:write"})
class ReactiveSecurityAppTest {
    static final String ORIGIN = "https://app.example";
    static final ThreadRecordingStore STORE = new ThreadRecordingStore(new InMemoryKeyStore());

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableReactiveMethodSecurity
    @Import(Api.class)
    static class App {
        @Bean(destroyMethod = "close")
        Keys keys(dev.keys.core.authz.Roles roles) {
            return Keys.builder().store(STORE).roles(roles).verifier(v -> v.syncInterval(Duration.ZERO)).build();
        }
    }

    @RestController
    @CrossOrigin(origins = ORIGIN)
    static class Api {
        @GetMapping("/api/me")
        Mono<Map<String, Object>> me(Principal principal) {
            return ReactiveSecurityContextHolder.getContext().map(SecurityContext::getAuthentication).map(auth -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("principal", principal.getName());
                m.put("authentication", auth.getClass().getSimpleName());
                m.put("name", auth.getName());
                m.put("authorities", auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).sorted().toList());
                return m;
            });
        }

        @GetMapping("/api/documents")
        @PreAuthorize("hasAuthority('documents:read')")
        Mono<List<String>> documents() {
            return Mono.just(List.of("a", "b"));
        }

        @PostMapping("/api/documents")
        @PreAuthorize("hasAuthority('documents:write')")
        @ResponseStatus(HttpStatus.CREATED)
        Mono<Map<String, String>> create(Mono<Authentication> auth) {
            return auth.map(a -> Map.of("id", "c", "by", a.getName()));
        }

        @GetMapping("/hello")
        String hello() {
            return "hello";
        }
    }

    @BeforeAll
    static void withSpringSecurity() {
        assumeTrue(ClassUtils.isPresent("org.springframework.security.web.server.SecurityWebFilterChain", null), "Spring Security is not on the class path");
    }

    @LocalServerPort
    int port;
    @Autowired
    Keys keys;

    Http http() {
        return new Http(port);
    }

    String key(String role) {
        return keys.manager().create(NewKey.builder("acme_live").roles(Set.of(role)).build(), KeyManager.SYSTEM).plaintext();
    }

    @Test
    void noKeyAnswersKeysProblemJsonNotSpringSecuritysDefaults() {
        Http.Answer a = http().get("/api/me");
        problem(a, 401, "MISSING");
        assertEquals("Bearer realm=\"api\"", a.header("WWW-Authenticate"));
        problem(http().post("/api/documents", "{}"), 401, "MISSING");
        problem(http().get("/api/me", "X-API-Key", "acme_live_nonsense"), 401, "MALFORMED");
    }

    @Test
    void aVerifiedKeyIsTheReactiveContextsAuthenticationAndTheStoreIsReadOffTheEventLoop() {
        String key = key("reader");
        Http.Answer a = http().get("/api/me", "X-API-Key", key);
        assertEquals(200, a.status(), a.body());
        JsonNode b = a.json();
        assertEquals("KeyAuthentication", b.get("authentication").asText());
        assertTrue(b.get("name").asText().startsWith("key_"), a.body());
        assertEquals(b.get("name").asText(), b.get("principal").asText(), "the exchange's principal is the key's Authentication");
        assertEquals(List.of("ROLE_reader", "documents:read"), Http.JSON.convertValue(b.get("authorities"), List.class));
        STORE.assertNeverOnTheEventLoop();
    }

    @Test
    void preAuthorizeDecidesByThePermissionsAndAKeyAuthenticatedPostNeedsNoCsrfToken() {
        SecurityAppTest.assertPreAuthorizeDecidesAndAKeyNeedsNoCsrfToken(http(), this::key);
    }

    @Test
    void aRevokedKeyAnswers401FromTheNextRequest() {
        var issued = keys.manager().create(NewKey.builder("acme_live").roles(Set.of("reader")).build(), KeyManager.SYSTEM);
        assertEquals(200, http().get("/api/me", "X-API-Key", issued.plaintext()).status());
        keys.manager().revoke(issued.key().id(), KeyManager.SYSTEM, java.util.Optional.of("leaked"));
        problem(http().get("/api/me", "X-API-Key", issued.plaintext()), 401, "REVOKED");
    }

    @Test
    void preflightsPassAndCrossOriginDenialsCarryCorsHeaders() {
        http().assertPreflightPassesAndDenialCarriesCors("/api/me", ORIGIN);
    }

    @Test
    void otherPathsKeepSpringBootsDefaultSecurity() {
        Http.Answer a = http().get("/hello");
        assertEquals(401, a.status());
        assertTrue(String.valueOf(a.header("WWW-Authenticate")).startsWith("Basic"), String.valueOf(a.header("WWW-Authenticate")));
    }
}
