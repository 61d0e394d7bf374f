package dev.keys.jwt.oauth;

import dev.keys.core.lifecycle.ClientUpdate;
import dev.keys.core.lifecycle.NewClient;
import dev.keys.core.lifecycle.IssuedClient;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.api.ApiKey;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.test.ManualClock;
import dev.keys.core.authz.Requirement;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.RateLimiter;
import dev.keys.jwt.JwtVerifier;
import dev.keys.jwt.SigningKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/** Rate limits per JWT subject: a client's bandwidths apply to every token it holds, after authorization. */
class JwtLimitsTest {
    static final String ISS = "https://auth.example", AUD = "https://api.example";
    static final RequestContext CTX = RequestContext.of("GET", "/docs/1");

    final SwitchableClientStore store = new SwitchableClientStore();
    ManualClock clock;
    ClientManager clients;
    TokenService tokens;
    JwtVerifier verifier;
    IssuedClient client;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        SigningKeys keys = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofHours(1), clock);
        clients = ClientManager.builder(store).clock(clock).build();
        tokens = TokenService.builder(clients, keys).issuer(ISS).audience(AUD).clock(clock).build();
        verifier = JwtVerifier.builderForIssuer(keys, ISS, AUD).clock(clock).limits(clients::ratelimits).limitsRefresh(Duration.ofSeconds(10)).build();
        client = clients.create(new NewClient("job", "acme", Set.of(), Set.of("documents:read"),
                List.of(new RateLimit("burst", 2, Duration.ofSeconds(1)))));
    }

    String token() {
        return tokens.issue(client.clientId(), client.clientSecret(), Optional.empty()).accessToken();
    }

    @Test
    void allTokensOfAClientShareItsBucketsAndForbiddenRequestsTakeNothing() {
        String a = token(), b = token();
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verifier.verify(a, CTX, Requirement.parse("documents:write")).outcome());
        Verification v1 = verifier.verify(a, CTX, Requirement.parse("documents:read"));
        assertTrue(v1.isValid());
        assertEquals(1, ((Verification.Valid) v1).rateLimits().statuses().get(0).remaining());
        assertTrue(verifier.verify(b, CTX, Requirement.NONE).isValid());
        Verification denied = verifier.verify(a, CTX, Requirement.NONE);
        assertEquals(Outcome.RATE_LIMITED, denied.outcome());
        assertEquals(1, ((Verification.Denied) denied).rateLimits().retryAfterSeconds());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(verifier.verify(b, CTX, Requirement.NONE).isValid());
    }

    @Test
    void twoVerifiersOnOneLimiterFactoryShareTheSubjectsBucketsAsAFleetDoesInRedis() {
        // Keyed by the id it is handed, as RedisLimits keys its hashes: one bucket per subject, whoever asks.
        Map<String, RateLimiter> shared = new ConcurrentHashMap<>();
        List<ApiKey> asked = new CopyOnWriteArrayList<>();
        LimiterFactory fleet = (key, limits) -> {
            asked.add(key);
            return shared.computeIfAbsent(key.id(), id -> RateLimiter.of(limits));
        };
        SigningKeys keys = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofHours(1), clock);
        TokenService issuer = TokenService.builder(clients, keys).issuer(ISS).audience(AUD).clock(clock).build();
        JwtVerifier one = JwtVerifier.builderForIssuer(keys, ISS, AUD).clock(clock).limits(clients::ratelimits).limiters(fleet).build();
        JwtVerifier two = JwtVerifier.builderForIssuer(keys, ISS, AUD).clock(clock).limits(clients::ratelimits).limiters(fleet).build();
        String a = issuer.issue(client.clientId(), client.clientSecret(), Optional.empty()).accessToken();
        String b = issuer.issue(client.clientId(), client.clientSecret(), Optional.empty()).accessToken();
        assertTrue(one.verify(a, CTX, Requirement.NONE).isValid());
        assertTrue(two.verify(b, CTX, Requirement.NONE).isValid());
        assertEquals(Outcome.RATE_LIMITED, one.verify(b, CTX, Requirement.NONE).outcome(), "burst 2 between both");
        assertEquals(Outcome.RATE_LIMITED, two.verify(a, CTX, Requirement.NONE).outcome());
        assertEquals(2, asked.size(), "one limiter per subject and verifier");
        for (ApiKey k : asked) {
            assertEquals("jwt-sub:" + client.clientId(), k.id(), "the subject, not the token");
            assertEquals(client.clientId(), k.ownerId());
            assertEquals("acme", k.tenant());
        }
    }

    @Test
    void limitsAreReadOncePerIntervalAndAChangeArrivesWithTheNextRead() {
        String t = token();
        int before = store.reads.get();
        assertTrue(verifier.verify(t, CTX, Requirement.NONE).isValid());
        assertTrue(verifier.verify(t, CTX, Requirement.NONE).isValid());
        assertEquals(before + 1, store.reads.get(), "one read for two requests");
        clients.update(client.clientId(), ClientUpdate.NONE.withRatelimits(List.of(new RateLimit("burst", 5, Duration.ofSeconds(1)))));
        assertEquals(Outcome.RATE_LIMITED, verifier.verify(t, CTX, Requirement.NONE).outcome(), "old limits until the refresh");
        clock.advance(Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) assertTrue(verifier.verify(t, CTX, Requirement.NONE).isValid(), "request " + i);
        assertEquals(Outcome.RATE_LIMITED, verifier.verify(t, CTX, Requirement.NONE).outcome());
    }

    @Test
    void aStoreOutageKeepsTheLastLimiterAndFailsClosedWithoutOne() {
        String t = token();
        assertTrue(verifier.verify(t, CTX, Requirement.NONE).isValid());
        store.down.set(true);
        clock.advance(Duration.ofSeconds(11));
        assertTrue(verifier.verify(t, CTX, Requirement.NONE).isValid(), "the last known limits serve");
        IssuedClient other = clients.create(new NewClient("other", "acme", Set.of(), Set.of(), List.of()));
        store.down.set(false);
        String t2 = tokens.issue(other.clientId(), other.clientSecret(), Optional.empty()).accessToken();
        store.down.set(true);
        Verification v = verifier.verify(t2, CTX, Requirement.NONE);
        assertEquals(Outcome.STORE_UNAVAILABLE, v.outcome());
        assertFalse(v.toString().contains(t2));
    }

    @Test
    void aClientWithoutLimitsIsNotLimited() {
        IssuedClient free = clients.create(new NewClient("free", "acme", Set.of(), Set.of(), List.of()));
        String t = tokens.issue(free.clientId(), free.clientSecret(), Optional.empty()).accessToken();
        for (int i = 0; i < 10; i++) {
            Verification v = verifier.verify(t, CTX, Requirement.NONE);
            assertTrue(v.isValid());
            assertEquals(List.of(), ((Verification.Valid) v).rateLimits().statuses());
        }
    }
}
