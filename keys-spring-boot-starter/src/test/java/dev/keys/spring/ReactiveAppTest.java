package dev.keys.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.RateLimit;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.servlet.ApiKeyFilter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.keys.spring.Http.bearer;
import static dev.keys.spring.Http.problem;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A WebFlux application (Reactor Netty) without Spring Security (run with it removed from the class path: see the
 * module's pom), with its own {@link Keys} bean over a store that records the threads it is called on: the same
 * answers as the servlet filter, and no store call ever on an event-loop thread.
 */
@SpringBootTest(classes = ReactiveAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.shutdown=immediate",
        "spring.main.web-application-type=reactive",
        "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "keys.filter.hide-credentials=true"})
class ReactiveAppTest {
    static final String ORIGIN = "https://app.example";
    static final ThreadRecordingStore STORE = new ThreadRecordingStore(new InMemoryKeyStore());

    /** Only in the surefire execution that removes Spring Security (a -Dtest run reaches the other one too). */
    @BeforeAll
    static void withoutSpringSecurity() {
        assumeFalse(ClassUtils.isPresent("org.springframework.security.web.server.SecurityWebFilterChain", null), "Spring Security is on the class path");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Api.class)
    static class App {
        @Bean(destroyMethod = "close")
        Keys keys() {
            return Keys.builder().store(STORE).verifier(v -> v.syncInterval(Duration.ZERO)).build();
        }
    }

    @RestController
    @CrossOrigin(origins = ORIGIN)
    static class Api {
        @GetMapping("/api/hello")
        Mono<Map<String, Object>> hello(ServerWebExchange exchange) {
            return exchange.getPrincipal().map(p -> Map.of("principal", p.getName(), "principalClass", p.getClass().getSimpleName(),
                    "verified", exchange.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) != null,
                    "keyHeaderVisible", exchange.getRequest().getHeaders().getFirst("X-API-Key") != null));
        }

        @GetMapping("/open")
        String open() {
            return "open";
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    Keys keys;

    Http http() {
        return new Http(port);
    }

    IssuedKey issue(RateLimit... limits) {
        return keys.manager().create(NewKey.builder("acme_live").ratelimits(List.of(limits)).build(), KeyManager.SYSTEM);
    }

    @Test
    void noKeyAnswers401ProblemJsonAndOtherPathsAreNotGuarded() {
        Http.Answer a = http().get("/api/hello");
        problem(a, 401, "MISSING");
        assertEquals("Bearer realm=\"api\"", a.header("WWW-Authenticate"));
        problem(http().get("/api/hello", "X-API-Key", "a", "Authorization", "Bearer b"), 400, "INVALID_REQUEST");
        assertEquals("open", http().get("/open").body());
    }

    @Test
    void aKeyIsTheExchangesPrincipalAndTheStoreIsNeverCalledOnTheEventLoop() {
        IssuedKey k = issue();
        Http.Answer a = http().get("/api/hello", "X-API-Key", k.plaintext());
        assertEquals(200, a.status(), a.body());
        JsonNode b = a.json();
        assertEquals(k.key().id(), b.get("principal").asText());
        assertEquals("ApiKeyPrincipal", b.get("principalClass").asText());
        assertTrue(b.get("verified").asBoolean());
        assertFalse(b.get("keyHeaderVisible").asBoolean(), "keys.filter.hide-credentials holds on WebFlux too");
        assertEquals(200, http().get("/api/hello", "Authorization", bearer(k.plaintext())).status());

        STORE.assertNeverOnTheEventLoop();
    }

    @Test
    void aRateLimitedKeyAnswers429WithTheRateLimitFields() {
        http().assertTwoPassThenRateLimited("/api/hello", issue(new RateLimit("burst", 2, Duration.ofMinutes(1))).plaintext());
    }

    @Test
    void aRevokedKeyAnswers401FromTheNextRequest() {
        IssuedKey k = issue();
        assertEquals(200, http().get("/api/hello", "X-API-Key", k.plaintext()).status());
        keys.manager().revoke(k.key().id(), KeyManager.SYSTEM, Optional.of("leaked"));
        problem(http().get("/api/hello", "X-API-Key", k.plaintext()), 401, "REVOKED");
    }

    @Test
    void aPreflightPassesAndACrossOriginDenialCarriesTheCorsHeaders() {
        http().assertPreflightPassesAndDenialCarriesCors("/api/hello", ORIGIN);
    }
}
