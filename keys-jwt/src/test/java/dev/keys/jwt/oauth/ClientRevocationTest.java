package dev.keys.jwt.oauth;

import dev.keys.api.Outcome;
import dev.keys.api.Verification;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.IssuedClient;
import dev.keys.core.lifecycle.NewClient;
import dev.keys.core.store.InMemoryClientStore;
import dev.keys.jwt.JwtVerifier;
import dev.keys.jwt.SigningKeys;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14 #4: a revoked or disabled client's tokens answer 401 from the next request on, here at once and on
 * another instance within the refresh interval, with one store read per client per interval, failing closed.
 */
class ClientRevocationTest {
    static final String ISS = "https://auth.example", AUD = "https://api.example";
    static final Duration BOUND = Duration.ofSeconds(1);

    final SwitchableClientStore store = new SwitchableClientStore();
    ManualClock clock;
    SigningKeys keys;
    /** This instance: its ClientManager writes through the verifier's store. */
    JwtVerifier here;
    /** Another instance on the same store, which learns of changes only by reading it. */
    JwtVerifier there;
    ClientManager clients;
    TokenService tokens;
    IssuedClient client;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        keys = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofHours(1), clock);
        here = verifier(Duration.ZERO);
        there = verifier(Duration.ZERO);
        clients = ClientManager.builder(here.clientStore()).clock(clock).build();
        tokens = TokenService.builder(clients, keys).issuer(ISS).audience(AUD).clock(clock).build();
        client = clients.create(new NewClient("job", "acme", Set.of(), Set.of("documents:read"), List.of()));
    }

    JwtVerifier verifier(Duration staleBound) {
        return JwtVerifier.builderForIssuer(keys, ISS, AUD).clock(clock).clients(store).clientsRefresh(BOUND)
                .clientsStaleBound(staleBound).build();
    }

    String token() {
        return tokens.issue(client.clientId(), client.clientSecret(), Optional.empty()).accessToken();
    }

    static void denied(Verification v, Outcome outcome, String detail) {
        Verification.Denied d = assertInstanceOf(Verification.Denied.class, v);
        assertEquals(outcome, d.outcome());
        assertEquals(detail, d.detail());
        assertTrue(d.key().isPresent(), "the denial names the token's key");
    }

    @Test
    void aRevokedClientsTokensAre401HereAtOnceAndThereWithinTheBound() {
        String t = token();
        assertInstanceOf(Verification.Valid.class, here.verify(t));
        assertInstanceOf(Verification.Valid.class, there.verify(t));

        clients.revoke(client.clientId());
        denied(here.verify(t), Outcome.REVOKED, "token's client is revoked");
        assertEquals(401, Outcome.REVOKED.httpStatus());
        // The other instance still trusts what it read less than one interval ago...
        assertInstanceOf(Verification.Valid.class, there.verify(t));
        clock.advance(BOUND);
        // ...and no longer once the interval is over, cached token or not.
        denied(there.verify(t), Outcome.REVOKED, "token's client is revoked");
        // Revoked is final: no store read for it again, even when the store is down.
        store.down.set(true);
        int before = store.reads.get();
        clock.advance(BOUND.multipliedBy(10));
        denied(there.verify(t), Outcome.REVOKED, "token's client is revoked");
        denied(here.verify(t), Outcome.REVOKED, "token's client is revoked");
        assertEquals(before, store.reads.get());
    }

    @Test
    void aDisabledClientsTokensAre401UntilItIsEnabledAgain() {
        String t = token();
        assertInstanceOf(Verification.Valid.class, there.verify(t));
        clients.setEnabled(client.clientId(), false);
        denied(here.verify(t), Outcome.REVOKED, "token's client is disabled");
        clock.advance(BOUND);
        denied(there.verify(t), Outcome.REVOKED, "token's client is disabled");

        clients.setEnabled(client.clientId(), true);
        assertInstanceOf(Verification.Valid.class, here.verify(t));
        clock.advance(BOUND);
        assertInstanceOf(Verification.Valid.class, there.verify(t));
    }

    @Test
    void oneStoreReadPerClientPerInterval() {
        String a = token(), b = token();
        int before = store.reads.get();
        for (int i = 0; i < 50; i++) {
            assertInstanceOf(Verification.Valid.class, there.verify(i % 2 == 0 ? a : b));
            clock.advance(Duration.ofMillis(10));
        }
        assertEquals(before + 1, store.reads.get(), "two tokens of one client, half an interval");
        clock.advance(BOUND);
        there.verify(a);
        assertEquals(before + 2, store.reads.get());
    }

    @Test
    void failsClosedWhenTheStoreIsDownAndRetriesOncePerInterval() {
        String t = token();
        assertInstanceOf(Verification.Valid.class, there.verify(t));
        store.down.set(true);
        clock.advance(BOUND);
        int before = store.reads.get();
        denied(there.verify(t), Outcome.STORE_UNAVAILABLE, "token's client status unavailable");
        for (int i = 0; i < 20; i++) denied(there.verify(t), Outcome.STORE_UNAVAILABLE, "token's client status unavailable");
        assertEquals(before + 1, store.reads.get(), "a failed read is not retried on every request");
        store.down.set(false);
        clock.advance(BOUND);
        assertInstanceOf(Verification.Valid.class, there.verify(t));
    }

    @Test
    void aStaleBoundLetsTheLastStatusServeForAWhile() {
        JwtVerifier lenient = verifier(Duration.ofSeconds(30));
        String t = token();
        assertInstanceOf(Verification.Valid.class, lenient.verify(t));
        store.down.set(true);
        clock.advance(Duration.ofSeconds(30));
        assertInstanceOf(Verification.Valid.class, lenient.verify(t));
        clock.advance(BOUND);
        denied(lenient.verify(t), Outcome.STORE_UNAVAILABLE, "token's client status unavailable");
        // A token first seen while the store is down has no status to serve.
        JwtVerifier fresh = verifier(Duration.ofSeconds(30));
        denied(fresh.verify(t), Outcome.STORE_UNAVAILABLE, "token's client status unavailable");
    }

    @Test
    void aTokenOfAClientTheStoreDoesNotKnowIsRevoked() {
        String t = token();
        JwtVerifier elsewhere = JwtVerifier.builderForIssuer(keys, ISS, AUD).clock(clock).clients(new InMemoryClientStore()).build();
        denied(elsewhere.verify(t), Outcome.REVOKED, "token's client no longer exists");
    }

    @Test
    void withoutClientsATokenIsGoodUntilItExpires() {
        JwtVerifier plain = JwtVerifier.builderForIssuer(keys, ISS, AUD).clock(clock).build();
        assertThrows(IllegalStateException.class, plain::clientStore);
        String t = token();
        clients.revoke(client.clientId());
        assertInstanceOf(Verification.Valid.class, plain.verify(t));
        assertThrows(IllegalArgumentException.class, () -> JwtVerifier.builderForIssuer(keys, ISS, AUD).clientsRefresh(Duration.ZERO));
    }
}
