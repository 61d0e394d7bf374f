package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.KeyQuery;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.Refill;
import dev.keys.core.Keys;
import dev.keys.core.store.InMemoryAuditLog;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14 item 1, the Java API: every instant and duration a caller gives is within docs/contract.md §3 (1970 to
 * 9999, durations up to 100 years) or refused naming the field before anything is written; instants the verifier
 * cannot count in nanoseconds (after 2262) are still served; a failing listener loses no audit event.
 */
class TimeBoundsTest {
    static final Instant NEVER = Instant.parse("9999-12-31T23:59:59Z");
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final InMemoryKeyStore store = new InMemoryKeyStore();
    final InMemoryAuditLog audit = new InMemoryAuditLog();
    final Keys keys = Keys.builder().store(store).clock(clock).audit(audit).verifier(v -> v.syncInterval(Duration.ZERO)).build();
    final KeyManager manager = keys.manager();

    @AfterEach
    void close() {
        keys.close();
    }

    static void assertNames(String field, Throwable t) {
        assertInstanceOf(IllegalArgumentException.class, t);
        assertTrue(t.getMessage().startsWith(field + ":"), t.getMessage());
    }

    int keyCount() {
        return store.list(new KeyQuery(Optional.empty(), Optional.empty(), 1000, Optional.empty())).items().size();
    }

    /** The audited actions, sorted. */
    List<String> actions(Optional<String> keyId) {
        return audit.find(Optional.empty(), keyId, 100, Optional.empty()).items().stream().map(AuditEvent::action).sorted().toList();
    }

    @Test
    void aKeyThatNeverExpiresIsServedAndRevokedFromTheNextRequest() {
        IssuedKey k = manager.create(NewKey.builder("sk_live").expiresAt(NEVER).build(), SYSTEM);
        assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext()).outcome());
        IssuedKey j = manager.create(NewKey.builder("sk_live").build(), SYSTEM);
        assertEquals(Outcome.VALID, keys.verifier().verify(j.plaintext()).outcome());
        manager.update(j.key().id(), b -> b.expiresAt(Optional.of(NEVER)), SYSTEM);  // the key cached, then PATCHed past 2262
        assertEquals(Outcome.VALID, keys.verifier().verify(j.plaintext()).outcome());
        manager.revoke(j.key().id(), SYSTEM, Optional.of("leaked"));
        assertEquals(Outcome.REVOKED, keys.verifier().verify(j.plaintext()).outcome());
        assertEquals(List.of("create", "create", "revoke", "update"), actions(Optional.empty()));
    }

    @Test
    void instantsOutsideTheContractAreRefusedNamingTheField() {
        for (Instant bad : List.of(Instant.parse("1969-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.MAX, Instant.MIN,
                Instant.parse("9999-12-31T23:59:59.000000001Z"))) {
            assertNames("expiresAt", assertThrows(IllegalArgumentException.class, () -> NewKey.builder("sk_live").expiresAt(bad).build()));
        }
        assertDoesNotThrow(() -> NewKey.builder("sk_live").expiresAt(Instant.EPOCH).build());
        IssuedKey k = manager.create(NewKey.builder("sk_live").build(), SYSTEM);
        long version = store.findById(k.key().id()).orElseThrow().version();
        assertNames("expiresAt", assertThrows(IllegalArgumentException.class,
                () -> manager.update(k.key().id(), b -> b.expiresAt(Optional.of(Instant.parse("+10000-01-01T00:00:00Z"))), SYSTEM)));
        assertEquals(version, store.findById(k.key().id()).orElseThrow().version(), "nothing was written");
    }

    @Test
    void durationsOutsideTheContractAreRefusedNamingTheField() {
        Duration tooLong = Duration.ofDays(100_000);
        assertNames("ratelimits[0].duration", assertThrows(IllegalArgumentException.class,
                () -> NewKey.builder("sk_live").ratelimits(new RateLimit("day", 10, tooLong)).build()));
        assertNames("refill.interval", assertThrows(IllegalArgumentException.class,
                () -> NewKey.builder("sk_live").remaining(5).refill(new Refill(5, Duration.ofHours(2562047788015215L))).build()));
        assertDoesNotThrow(() -> NewKey.builder("sk_live").ratelimits(new RateLimit("century", 10, Duration.ofDays(36_525))).build());
        IssuedKey k = manager.create(NewKey.builder("sk_live").build(), SYSTEM);
        assertNames("ratelimits[1].duration", assertThrows(IllegalArgumentException.class, () -> manager.update(k.key().id(),
                b -> b.ratelimits(List.of(new RateLimit("a", 1, Duration.ofSeconds(1)), new RateLimit("b", 1, tooLong))), SYSTEM)));
        assertNames("refill.interval", assertThrows(IllegalArgumentException.class, () -> manager.update(k.key().id(),
                b -> b.remaining(java.util.OptionalLong.of(3)).refill(Optional.of(new Refill(3, tooLong))), SYSTEM)));
        assertNames("ratelimits[0].duration", assertThrows(IllegalArgumentException.class,
                () -> new NewClient("c", "default", java.util.Set.of(), java.util.Set.of(), List.of(new RateLimit("a", 1, tooLong)))));
    }

    @Test
    void aRotationWhoseGraceCannotBeHeldIsRefusedBeforeTheNewKeyExists() {
        IssuedKey k = manager.create(NewKey.builder("sk_live").build(), SYSTEM);
        int before = keyCount();
        for (Duration grace : List.of(Duration.ofDays(100_000), Duration.ofHours(2562047788015215L), Duration.ofSeconds(Long.MAX_VALUE), Duration.ofSeconds(-1))) {
            assertNames("gracePeriod", assertThrows(IllegalArgumentException.class, () -> manager.rotate(k.key().id(), grace, SYSTEM)));
        }
        assertEquals(before, keyCount(), "no orphan key");
        assertEquals(Optional.empty(), store.findById(k.key().id()).orElseThrow().rotatedTo());
        IssuedKey fresh = manager.rotate(k.key().id(), Duration.ofDays(36_525), SYSTEM);
        assertEquals(Outcome.VALID, keys.verifier().verify(fresh.plaintext()).outcome());
    }

    @Test
    void aListenerThatThrowsLosesNoAuditEventAndFailsNoCommittedWrite() {
        KeyManager m = KeyManager.builder(store).clock(clock).audit(audit).onWrite(k -> { throw new ArithmeticException("long overflow"); }).build();
        IssuedKey k = m.create(NewKey.builder("sk_live").build(), SYSTEM);
        ApiKey revoked = m.revoke(k.key().id(), SYSTEM, Optional.empty());
        assertEquals(dev.keys.api.KeyStatus.REVOKED, revoked.status());
        assertEquals(List.of("create", "revoke"), actions(Optional.of(k.key().id())));
    }
}
