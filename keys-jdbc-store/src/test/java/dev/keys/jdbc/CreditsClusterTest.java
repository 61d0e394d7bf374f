package dev.keys.jdbc;

import dev.keys.api.Outcome;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.Actor;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Credits and erasure (docs/contract.md §5) on two service instances sharing one PostgreSQL: concurrent
 * increments, decrements and requests on both lose nothing, and an erased key is gone on the other within the bound.
 */
class CreditsClusterTest extends TwoInstancesOnPostgres {
    JdbcStores stores;
    static final Actor ADMIN = Actor.system("ops");

    Keys instance() {
        stores = JdbcStores.builder(db.pool(4)).queryTimeout(Duration.ofSeconds(5)).build();
        Keys keys = Keys.builder().store(stores.keyStore()).audit(stores.auditLog()).usageCounters(stores.usageCounters()).build();
        closing.add(keys);
        closing.add(stores);
        return keys;
    }

    @Test
    void concurrentCreditOperationsOnTwoInstancesAreAllCounted() throws Exception {
        Keys a = instance(), b = instance();
        IssuedKey k = a.manager().create(NewKey.builder("sk_live").remaining(1000).build(), ADMIN);
        String id = k.key().id();
        int rounds = 40;
        CyclicBarrier start = new CyclicBarrier(4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> work = List.of(
                    pool.submit(() -> { start.await(); for (int i = 0; i < rounds; i++) a.manager().addRemaining(id, 3, ADMIN); return 0; }),
                    pool.submit(() -> { start.await(); for (int i = 0; i < rounds; i++) b.manager().addRemaining(id, 2, ADMIN); return 0; }),
                    pool.submit(() -> { start.await(); for (int i = 0; i < rounds; i++) b.manager().addRemaining(id, -1, ADMIN); return 0; }),
                    pool.submit(() -> {
                        start.await();
                        int admitted = 0;
                        for (int i = 0; i < rounds; i++) if (a.verifier().verify(k.plaintext()).outcome() == Outcome.VALID) admitted++;
                        return admitted;
                    }));
            int used = 0;
            for (Future<Integer> f : work) used += f.get();
            assertEquals(rounds, used, "every request was admitted: there were credits enough");
            long expected = 1000 + rounds * 3L + rounds * 2L - rounds - used;
            assertEquals(expected, a.manager().addRemaining(id, 0, ADMIN));
            assertEquals(expected, b.quotas().remaining(b.manager().get(id).orElseThrow(), b.clock().nanos()).getAsLong());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(5, b.manager().setRemaining(id, 5, ADMIN));
        assertThrows(IllegalStateException.class, () -> a.manager().addRemaining(id, -6, ADMIN), "never below zero");
        assertEquals(0, a.manager().addRemaining(id, -5, ADMIN));
    }

    @Test
    void anErasedKeyIsGoneOnTheOtherInstanceAndTheAuditKeepsWhoErasedIt() {
        Keys a = instance(), b = instance();
        IssuedKey k = a.manager().create(NewKey.builder("sk_live").ownerId("acme").build(), ADMIN);
        assertEquals(Outcome.VALID, b.verifier().verify(k.plaintext()).outcome());
        a.manager().erase(k.key().id(), ADMIN);
        assertEquals(Outcome.NOT_FOUND, a.verifier().verify(k.plaintext()).outcome(), "this instance at once");
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (b.verifier().verify(k.plaintext()).outcome() != Outcome.NOT_FOUND) {
            assertTrue(System.nanoTime() < end, "the other instance within the bound");
            Thread.onSpinWait();
        }
        assertTrue(a.manager().get(k.key().id()).isEmpty());
        var events = stores.auditLog().find(java.util.Optional.empty(), java.util.Optional.of(k.key().id()), 10, java.util.Optional.empty()).items();
        assertTrue(events.stream().anyMatch(e -> e.action().equals("erase") && e.actor().equals("ops")
                && e.changes().get("ownerId").equals(List.of("acme", ""))), events.toString());
    }
}
