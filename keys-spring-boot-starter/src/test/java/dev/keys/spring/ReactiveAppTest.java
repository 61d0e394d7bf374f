package dev.keys.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.RateLimit;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.servlet.ApiKeyFilter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.keys.spring.Http.bearer;
import static dev.keys.spring.Http.problem;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A WebFlux application (Reactor Netty) with its own {@link Keys} bean over a store that records the threads it is
 * called on: the same answers as the servlet filter, and no store call ever on an event-loop thread.
 */
@SpringBootTest(classes = ReactiveAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.shutdown=immediate",
        "spring.main.web-application-type=reactive",
        "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                + "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration,"
                + "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration,"
                + "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
        "keys.filter.hide-credentials=true"})
class ReactiveAppTest {
    static final String ORIGIN = "https://app.example";
    static final Set<String> STORE_THREADS = ConcurrentHashMap.newKeySet();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Api.class)
    static class App {
        @Bean(destroyMethod = "close")
        Keys keys() {
            return Keys.builder().store(new ThreadRecordingStore(new InMemoryKeyStore())).verifier(v -> v.syncInterval(Duration.ZERO)).build();
        }
    }

    @RestController
    @CrossOrigin(origins = ORIGIN)
    static class Api {
        @GetMapping("/api/hello")
        Mono<Map<String, Object>> hello(ServerWebExchange exchange) {
            return exchange.getPrincipal().map(p -> Map.of("principal", p.getName(), "principalClass", p.getClass().getSimpleName(),
                    "verified", exchange.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) != null,
                    "keyHeaderVisible", exchange.getRequest().getHeaders().containsHeader("X-API-Key")));
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

        assertFalse(STORE_THREADS.isEmpty(), "the first verification of a key reads the store");
        // The test's own thread reads the store too (the manager's writes refresh the cache): only request threads count.
        assertTrue(STORE_THREADS.stream().anyMatch(t -> t.startsWith("boundedElastic-")), STORE_THREADS.toString());
        for (String t : STORE_THREADS) assertFalse(t.startsWith("reactor-http"), "store called on an event-loop thread: " + t);
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

    /** Notes the thread of every key lookup. */
    static final class ThreadRecordingStore implements KeyStore {
        private final KeyStore store;

        ThreadRecordingStore(KeyStore store) {
            this.store = store;
        }

        @Override
        public Optional<ApiKey> findByDigest(Digest digest) {
            STORE_THREADS.add(Thread.currentThread().getName());
            return store.findByDigest(digest);
        }

        @Override public Optional<ApiKey> findById(String id) { return store.findById(id); }
        @Override public ApiKey create(ApiKey key) { return store.create(key); }
        @Override public ApiKey update(ApiKey key) { return store.update(key); }
        @Override public Page<ApiKey> list(KeyQuery query) { return store.list(query); }
        @Override public List<KeyChange> changesSince(long afterSequence, int limit) { return store.changesSince(afterSequence, limit); }
        @Override public long lastSequence() { return store.lastSequence(); }
    }
}
