package dev.keys.core.ops;

import dev.keys.core.store.InMemoryLastUse;
import dev.keys.core.store.InMemoryLease;

import dev.keys.api.AuditEvent;
import dev.keys.api.KeyStatus;
import dev.keys.api.Outcome;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.test.ManualScheduler;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class SweeperTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    final ManualClock clock = new ManualClock(T0);
    final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
    final InMemoryLastUse lastUse = new InMemoryLastUse();
    final Keys keys = Keys.builder().store(new InMemoryKeyStore()).clock(clock).audit(audit::add)
            .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(lastUse)).build();
    final InMemoryLease lease = new InMemoryLease(clock);

    @AfterEach
    void close() {
        keys.close();
    }

    Sweeper.Builder sweeper() {
        return Sweeper.builder(keys.manager(), keys.store(), lease).clock(clock).interval(Duration.ofHours(1));
    }

    IssuedKey key(Optional<Instant> expiresAt) {
        return keys.manager().create(NewKey.builder("sk_live").tenant("acme").expiresAt(expiresAt).build(), "key_admin");
    }

    List<AuditEvent> events(String action) {
        return audit.stream().filter(e -> e.action().equals(action)).toList();
    }

    @Test
    void keysExpiredLongerThanTheRetentionAreRevokedAndAudited() {
        IssuedKey expiring = key(Optional.of(T0.plus(Duration.ofDays(1))));
        IssuedKey forever = key(Optional.empty());
        try (Sweeper s = sweeper().archiveExpiredAfter(Duration.ofDays(7)).build()) {
            clock.advance(Duration.ofDays(5));
            assertEquals(new SweepReport(true, List.of(), List.of(), List.of()), s.runOnce());
            assertEquals(Outcome.EXPIRED, keys.verifier().verify(expiring.plaintext()).outcome());
            clock.advance(Duration.ofDays(3));
            SweepReport r = s.runOnce();
            assertEquals(List.of(expiring.key().id()), r.archived());
            assertEquals(KeyStatus.REVOKED, keys.manager().get(expiring.key().id()).orElseThrow().status());
            assertEquals(KeyStatus.ACTIVE, keys.manager().get(forever.key().id()).orElseThrow().status());
            AuditEvent e = events("revoke").get(0);
            assertEquals(KeyManager.SYSTEM, e.actor());
            assertEquals(Optional.of(Sweeper.EXPIRED_RETENTION), e.reason());
            assertEquals(expiring.key().id(), e.keyId());
            assertEquals(List.of("ACTIVE", "REVOKED"), e.changes().get("status"));
            assertEquals(List.of(), s.runOnce().archived(), "a revoked key is left alone");
        }
    }

    @Test
    void keysUnusedForTheIdlePeriodAreDisabledWithAReason() {
        IssuedKey used = key(Optional.empty());
        IssuedKey never = key(Optional.empty());
        try (Sweeper s = sweeper().disableUnusedAfter(Duration.ofDays(30), lastUse).build()) {
            clock.advance(Duration.ofDays(20));
            assertTrue(keys.verifier().verify(used.plaintext()).isValid());
            clock.advance(Duration.ofDays(11));
            SweepReport r = s.runOnce();
            assertEquals(List.of(never.key().id()), r.disabled());
            assertEquals(Outcome.DISABLED, keys.verifier().verify(never.plaintext()).outcome());
            assertTrue(keys.verifier().verify(used.plaintext()).isValid());
            AuditEvent e = events("disable").get(0);
            assertEquals(KeyManager.SYSTEM, e.actor());
            assertTrue(e.reason().orElseThrow().startsWith("unused since " + T0), e.reason().toString());
            clock.advance(Duration.ofDays(30));
            assertEquals(List.of(used.key().id()), s.runOnce().disabled(), "a disabled key is not disabled again");
            keys.manager().enable(never.key().id(), "key_admin");
            assertTrue(keys.verifier().verify(never.plaintext()).isValid());
        }
    }

    @Test
    void ofTwoSweepersSharingALeaseOnlyOneRunsARound() {
        key(Optional.of(T0));
        Sweeper.Builder b = sweeper().archiveExpiredAfter(Duration.ZERO);
        Sweeper a = b.owner("a").build(), c = b.owner("c").build();
        try (a; c) {
            assertTrue(a.runOnce().ran());
            assertFalse(c.runOnce().ran());
            clock.advance(Duration.ofHours(1));
            assertTrue(a.runOnce().ran(), "the holder renews");
            assertFalse(c.runOnce().ran());
            clock.advance(Duration.ofHours(2)); // a stopped renewing: its lease (twice the interval) ran out
            assertTrue(c.runOnce().ran());
            assertFalse(a.runOnce().ran());
            c.close();
            assertTrue(a.runOnce().ran(), "released on close");
        }
        assertEquals(1, events("revoke").size(), "the key was archived once");
    }

    @Test
    void startedOnASchedulerItSweepsEveryIntervalUntilClosed() {
        IssuedKey k = key(Optional.of(T0));
        ManualScheduler scheduler = new ManualScheduler(clock);
        Sweeper s = sweeper().archiveExpiredAfter(Duration.ZERO).build();
        s.start(scheduler);
        s.start(scheduler);
        assertEquals(1, scheduler.pending(), "a second start is ignored");
        assertEquals(0, scheduler.advance(Duration.ofMinutes(59)));
        assertEquals(KeyStatus.ACTIVE, keys.manager().get(k.key().id()).orElseThrow().status());
        assertEquals(1, scheduler.advance(Duration.ofMinutes(1)), "the first round after one interval");
        assertEquals(KeyStatus.REVOKED, keys.manager().get(k.key().id()).orElseThrow().status());
        assertEquals(1, scheduler.advance(Duration.ofHours(1)));
        s.close();
        assertEquals(0, scheduler.pending(), "close cancels the rounds");
        assertFalse(scheduler.isShutdown(), "and leaves the scheduler alone");
        s.start(scheduler);
        assertEquals(0, scheduler.pending(), "a closed sweeper does not start again");
        assertEquals(1, events("revoke").size());
    }

    @Test
    void startedOnItsOwnItRunsOnADaemonThreadThatCloseStops() throws Exception {
        Sweeper s = sweeper().archiveExpiredAfter(Duration.ZERO).build().start();
        Thread t = Thread.getAllStackTraces().keySet().stream().filter(x -> x.getName().equals("keys-sweeper")).findFirst().orElseThrow();
        assertTrue(t.isDaemon());
        s.close();
        t.join(10_000);
        assertFalse(t.isAlive());
    }

    @Test
    void nothingToSweepIsAConfigurationError() {
        assertThrows(IllegalStateException.class, () -> sweeper().build());
    }

    @Test
    void approvalAndRejectionAreAuditedWithActorAndReason() {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_live").tenant("acme").requiresApproval(true).build(), "key_admin");
        assertEquals(Outcome.NOT_APPROVED, keys.verifier().verify(k.plaintext()).outcome());
        keys.manager().reject(k.key().id(), "key_reviewer", Optional.of("no contract yet"));
        assertEquals(Outcome.NOT_APPROVED, keys.verifier().verify(k.plaintext()).outcome());
        keys.manager().approve(k.key().id(), "key_reviewer", Optional.of("contract signed"));
        assertTrue(keys.verifier().verify(k.plaintext()).isValid());
        AuditEvent reject = events("reject").get(0), approve = events("approve").get(0);
        assertEquals("key_reviewer", reject.actor());
        assertEquals(Optional.of("no contract yet"), reject.reason());
        assertEquals(List.of("PENDING_APPROVAL", "REJECTED"), reject.changes().get("status"));
        assertEquals(Optional.of("contract signed"), approve.reason());
        assertEquals(List.of("REJECTED", "ACTIVE"), approve.changes().get("status"));
        assertEquals("acme", approve.tenant());
        assertEquals(k.key().id(), approve.keyId());
        for (AuditEvent e : audit) assertFalse(e.toString().contains(k.plaintext().substring(8, 28)));
    }
}
