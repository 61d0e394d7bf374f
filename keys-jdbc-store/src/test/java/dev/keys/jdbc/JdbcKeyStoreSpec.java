package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.ApiKey;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyStore;
import dev.keys.api.RateLimit;
import dev.keys.api.StoreException;
import dev.keys.test.ManualClock;
import dev.keys.test.KeyStoreSpec;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The store spec of keys-test, plus what only a shared database adds: retention of the change feed, optimistic
 * updates and feed order under concurrent writers from two pools (two service instances), and failures reported
 * as unavailability. Run on each database by {@link H2StoresTest} and {@link PostgresStoresTest}, on the database of
 * {@link JdbcSpecs}.
 */
abstract class JdbcKeyStoreSpec extends KeyStoreSpec {
    static JdbcStores stores(HikariDataSource pool) {
        return JdbcStores.builder(pool).queryTimeout(Duration.ofSeconds(1)).build();
    }

    @Override
    protected KeyStore newStore() {
        TestDb.clear(JdbcSpecs.pool);
        return stores(JdbcSpecs.pool).keyStore();
    }

    @Test
    void timesAreKeptToTheMicrosecondAndCreateAnswersWhatWasStored() {
        Instant t = Instant.parse("2026-03-04T05:06:07.123456789Z");
        ApiKey k = sample("t", "o").toBuilder().createdAt(t).updatedAt(t).expiresAt(java.util.Optional.of(t)).build();
        ApiKey stored = store.create(k);
        assertEquals(Instant.parse("2026-03-04T05:06:07.123456Z"), stored.createdAt());
        assertEquals(stored, store.findById(k.id()).orElseThrow());
    }

    @Test
    void ownerAndTenantWideLimitsSurviveCreateAndUpdate() {
        List<RateLimit> scoped = List.of(new RateLimit("burst", 10, Duration.ofSeconds(1)),
                new RateLimit("sustained", 5, Duration.ofHours(1), 0, RateLimit.Scope.OWNER),
                new RateLimit("fleet", 100, Duration.ofMinutes(1), 0, RateLimit.Scope.TENANT));
        ApiKey k = store.create(sample("t", "o").toBuilder().ratelimits(scoped).build());
        assertEquals(scoped, store.findById(k.id()).orElseThrow().ratelimits());
        List<RateLimit> swapped = List.of(scoped.get(1).withScope(RateLimit.Scope.TENANT), scoped.get(2).withScope(RateLimit.Scope.KEY));
        store.update(store.findById(k.id()).orElseThrow().toBuilder().ratelimits(swapped).build());
        assertEquals(swapped, store.findById(k.id()).orElseThrow().ratelimits());
    }

    @Test
    void aRowInTheOldJsonTextReadsBackTheSameAndNewRowsAreWrittenAlike() throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        ApiKey expected = sample("t", "o").toBuilder().roles(new java.util.TreeSet<>(JsonColumnsTest.STRINGS)).permissions(Set.of("documents:read"))
                .meta(JsonColumnsTest.META).ratelimits(JsonColumnsTest.LIMITS).ipAllowlist(List.of("10.0.0.0/8", "2001:db8::/32"))
                .createdAt(t).updatedAt(t).expiresAt(Optional.empty()).version(3)
                // A row of before migration 5 has no creator and no admin hold: it behaves as it always did.
                .createdBy("").adminHold(false).build();
        try (Connection c = JdbcSpecs.pool.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO keys_api_key (id, tenant, owner_id, name, "
                + "prefix, key_start, digest, environment, status, roles, permissions, meta, ratelimits, quota_limit, quota_period, remaining, "
                + "refill_amount, refill_interval, ip_allowlist, tier, created_at, updated_at, expires_at, rotated_to, version) "
                + "VALUES (?, 't', 'o', 'sample', 'sk_test', 'AbCd', ?, 'TEST', 'ACTIVE', ?, '[\"documents:read\"]', ?, ?, 5000, 'MONTH', 100, 100, 'PT24H', "
                + "'[\"10.0.0.0/8\",\"2001:db8::/32\"]', 'pro', ?, ?, NULL, NULL, 3)")) {
            ps.setString(1, expected.id());
            ps.setBytes(2, expected.digest().toBytes());
            ps.setString(3, JsonColumnsTest.OLD_STRINGS);
            ps.setString(4, JsonColumnsTest.OLD_META);
            ps.setString(5, JsonColumnsTest.OLD_LIMITS);
            ps.setObject(6, Db.timestamp(t));
            ps.setObject(7, Db.timestamp(t));
            assertEquals(1, ps.executeUpdate());
        }
        assertEquals(expected, store.findById(expected.id()).orElseThrow());
        ApiKey written = store.create(expected.toBuilder().id(expected.id() + "_new").digest(randomDigest()).build());
        try (Connection c = JdbcSpecs.pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, roles, meta, ratelimits, ip_allowlist FROM keys_api_key ORDER BY id")) {
            for (int row = 0; row < 2; row++) {
                assertTrue(rs.next());
                assertEquals(row == 0 ? expected.id() : written.id(), rs.getString(1));
                assertEquals(JsonColumnsTest.OLD_STRINGS, rs.getString(2));
                assertEquals(JsonColumnsTest.OLD_META, rs.getString(3));
                assertEquals(JsonColumnsTest.OLD_LIMITS, rs.getString(4));
                assertEquals("[\"10.0.0.0/8\",\"2001:db8::/32\"]", rs.getString(5));
            }
        }
    }

    @Test
    void aReaderBehindTheRetainedFeedIsToldToDropEverything() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        JdbcKeyStore s = JdbcStores.builder(JdbcSpecs.pool).clock(clock).changeRetention(Duration.ofMinutes(1)).build().keyStore();
        ApiKey a = s.create(sample("t", "o"));
        s.create(sample("t", "o"));
        clock.advance(Duration.ofMinutes(2));
        ApiKey c = s.create(sample("t", "o")); // writers prune now and then: this one deletes a's and b's changes
        List<KeyChange> behind = s.changesSince(0, 100);
        assertEquals(1, behind.size());
        assertTrue(behind.get(0).resetsAll());
        assertEquals(2, behind.get(0).sequence());
        assertEquals(List.of(c.id()), s.changesSince(2, 100).stream().map(KeyChange::keyId).toList());
        clock.advance(Duration.ofMinutes(2));
        assertEquals(1, s.pruneChanges());
        assertEquals(List.of(new KeyChange(3, KeyChange.ALL, behind.get(0).digest())), s.changesSince(1, 100));
        assertTrue(s.changesSince(3, 100).isEmpty());
        assertEquals(3, s.lastSequence());
        assertTrue(s.findById(a.id()).isPresent(), "retention deletes changes, never keys");
    }

    @Test
    void ofTwoConcurrentPatchesOfOneKeyExactlyOneWinsAndTheOtherConflicts() throws Exception {
        KeyStore other = stores(JdbcSpecs.otherPool).keyStore();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                ApiKey k = store.create(sample("t", "o"));
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<String>> results = new ArrayList<>();
                for (KeyStore s : List.of(store, other)) {
                    String name = s == store ? "a" : "b";
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            s.update(k.toBuilder().name(name).build());
                            return name;
                        } catch (StoreException.Conflict e) {
                            return "conflict";
                        }
                    }));
                }
                List<String> outcomes = new ArrayList<>();
                for (Future<String> f : results) outcomes.add(f.get(10, TimeUnit.SECONDS));
                assertEquals(1, Collections.frequency(outcomes, "conflict"), outcomes.toString());
                ApiKey now = store.findById(k.id()).orElseThrow();
                assertEquals(2, now.version());
                assertTrue(outcomes.contains(now.name()), "the stored name is the winner's");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPollingReaderSeesEveryChangeOfConcurrentWritersInCommitOrderWithoutGaps() throws Exception {
        KeyStore other = stores(JdbcSpecs.otherPool).keyStore();
        int writers = 4, writesEach = 30;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        try {
            Future<List<KeyChange>> reader = pool.submit(() -> {
                List<KeyChange> seen = new ArrayList<>();
                long last = 0;
                while (true) {
                    boolean done = !writing.get();
                    List<KeyChange> batch = store.changesSince(last, 7);
                    for (KeyChange c : batch) {
                        assertFalse(c.resetsAll());
                        seen.add(c);
                        last = c.sequence();
                    }
                    if (done && batch.isEmpty()) return seen;
                }
            });
            List<Future<List<String>>> written = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                KeyStore s = w % 2 == 0 ? store : other;
                written.add(pool.submit(() -> {
                    List<String> ids = new ArrayList<>();
                    ApiKey k = null;
                    for (int i = 0; i < writesEach; i++) {
                        if (k == null || i % 3 == 0) k = s.create(sample("t", "o"));
                        else k = s.update(k.toBuilder().name("n" + i).build());
                        ids.add(k.id());
                    }
                    return ids;
                }));
            }
            Map<String, Integer> expected = new HashMap<>();
            for (Future<List<String>> f : written) for (String id : f.get(60, TimeUnit.SECONDS)) expected.merge(id, 1, Integer::sum);
            writing.set(false);
            List<KeyChange> seen = reader.get(60, TimeUnit.SECONDS);
            assertEquals(writers * writesEach, seen.size());
            for (int i = 0; i < seen.size(); i++) assertEquals(i + 1, seen.get(i).sequence(), "gapless, in order");
            Map<String, Integer> got = new HashMap<>();
            seen.forEach(c -> got.merge(c.keyId(), 1, Integer::sum));
            assertEquals(expected, got);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDuplicateDigestIsRefusedWithoutNamingIt() {
        ApiKey k = store.create(sample("t", "o"));
        StoreException.Duplicate e = assertThrows(StoreException.Duplicate.class,
                () -> store.create(sample("t", "o").toBuilder().digest(k.digest()).build()));
        assertFalse(e.getMessage().contains(k.digest().toHex()));
        assertNull(e.getCause());
        assertEquals(1, store.changesSince(0, 10).size(), "a refused write leaves no change behind");
    }

    @Test
    void anExhaustedPoolIsUnavailableNotAnUnknownKey() throws Exception {
        HikariDataSource tiny = JdbcSpecs.db.pool(1);
        KeyStore s = stores(tiny).keyStore();
        ApiKey k = s.create(sample("t", "o"));
        try (Connection held = tiny.getConnection()) {
            StoreException.Unavailable e = assertThrows(StoreException.Unavailable.class, () -> s.findByDigest(k.digest()));
            assertTrue(e.getMessage().contains("no database connection"), e.getMessage());
            assertFalse(e.getMessage().contains(k.digest().toHex()));
        }
        assertTrue(s.findByDigest(k.digest()).isPresent());
    }

    @Test
    void aWriteStuckBehindALockTimesOutAsUnavailable() throws Exception {
        ApiKey k = store.create(sample("t", "o"));
        try (Connection locker = JdbcSpecs.otherPool.getConnection()) {
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.executeUpdate("UPDATE keys_change_seq SET seq = seq WHERE id = 1");
            }
            long t0 = System.nanoTime();
            StoreException.Unavailable e = assertThrows(StoreException.Unavailable.class, () -> store.update(k.toBuilder().name("x").build()));
            assertTrue(e.getMessage().contains("timed out") || e.getMessage().contains("database error"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(8), "the query timeout bounds the wait");
            locker.rollback();
        }
        assertEquals(1, store.findById(k.id()).orElseThrow().version(), "the timed-out update was rolled back");
    }
}
