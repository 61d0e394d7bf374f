package dev.keys.test;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.Environment;
import dev.keys.api.JsonValue;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import dev.keys.api.Refill;
import dev.keys.api.StoreException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The behaviour every {@link KeyStore} must have. A store's test extends this and supplies an empty store; the
 * memory, H2 and PostgreSQL stores all run it, and so can a store of your own.
 */
public abstract class KeyStoreSpec {
    protected KeyStore store;

    /** An empty store (or one whose keys do not collide with random ids and digests). */
    protected abstract KeyStore newStore();

    @BeforeEach
    void setUpStore() {
        store = newStore();
    }

    public static Digest randomDigest() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return Digest.of(b);
    }

    public static ApiKey sample(String tenant, String owner) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        return ApiKey.builder()
                .id("key_" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime()))
                .tenant(tenant).ownerId(owner).name("sample").prefix("sk_test").start("AbCd").digest(randomDigest())
                .environment(Environment.TEST).status(KeyStatus.ACTIVE)
                .roles(Set.of("reader")).permissions(Set.of("documents:read", "billing:*"))
                .meta(Map.of("plan", JsonValue.of("pro"), "region", JsonValue.of("eu"), "seats", JsonValue.of(25), "beta", JsonValue.of(true),
                        "none", JsonValue.Null.NULL, "limits", new JsonValue.Obj(Map.of("daily", new JsonValue.Num(new java.math.BigDecimal("1.5")),
                                "tags", new JsonValue.Arr(List.of(JsonValue.of("a\n\u2028"), JsonValue.of(-3)))))))
                .ratelimits(List.of(new RateLimit("burst", 10, Duration.ofSeconds(1), 20), new RateLimit("sustained", 1000, Duration.ofMinutes(1))))
                .quota(Optional.of(new Quota(5000, QuotaPeriod.MONTH)))
                .remaining(OptionalLong.of(100)).refill(Optional.of(new Refill(100, Duration.ofDays(1))))
                .ipAllowlist(List.of("10.0.0.0/8", "2001:db8::/32")).tier(Optional.of("pro"))
                .createdAt(now).updatedAt(now).expiresAt(Optional.of(now.plus(30, ChronoUnit.DAYS)))
                .createdBy("key_creator").adminHold(true)
                .build();
    }

    @Test
    void createdKeysAreFoundByDigestAndIdWithEveryField() {
        ApiKey k = sample("t1", "o1");
        ApiKey stored = store.create(k);
        assertEquals(1, stored.version());
        assertEquals(stored, store.findByDigest(k.digest()).orElseThrow());
        assertEquals(stored, store.findById(k.id()).orElseThrow());
        assertEquals(k.toBuilder().version(1).build(), stored);
    }

    @Test
    void aMinimalKeyRoundTrips() {
        ApiKey k = sample("t1", "o1").toBuilder().roles(Set.of()).permissions(Set.of()).meta(Map.of()).ratelimits(List.of())
                .quota(Optional.empty()).remaining(OptionalLong.empty()).refill(Optional.empty()).ipAllowlist(List.of())
                .tier(Optional.empty()).expiresAt(Optional.empty()).createdBy("").adminHold(false).build();
        assertEquals(k.toBuilder().version(1).build(), store.create(k));
        assertEquals(k.toBuilder().version(1).build(), store.findById(k.id()).orElseThrow());
    }

    @Test
    void unknownDigestsAndIdsAreEmpty() {
        assertTrue(store.findByDigest(randomDigest()).isEmpty());
        assertTrue(store.findById("key_nope").isEmpty());
    }

    @Test
    void duplicatesAreRefused() {
        ApiKey k = store.create(sample("t", "o"));
        assertThrows(StoreException.Duplicate.class, () -> store.create(sample("t", "o").toBuilder().digest(k.digest()).build()));
        assertThrows(StoreException.Duplicate.class, () -> store.create(sample("t", "o").toBuilder().id(k.id()).build()));
    }

    @Test
    void updatesAreOptimistic() {
        ApiKey k = store.create(sample("t", "o"));
        ApiKey a = store.update(k.toBuilder().name("first").build());
        assertEquals(2, a.version());
        assertThrows(StoreException.Conflict.class, () -> store.update(k.toBuilder().name("lost").build()));
        assertEquals("first", store.findById(k.id()).orElseThrow().name());
        // The separation-of-duty fields are written by updates as any other.
        a = store.update(a.toBuilder().adminHold(false).build());
        assertFalse(store.findById(k.id()).orElseThrow().adminHold());
        assertEquals("key_creator", store.findById(k.id()).orElseThrow().createdBy());
        ApiKey b = store.update(a.toBuilder().status(KeyStatus.REVOKED).build());
        assertEquals(4, b.version());
        assertEquals(KeyStatus.REVOKED, store.findByDigest(k.digest()).orElseThrow().status());
        assertThrows(StoreException.NotFound.class, () -> store.update(sample("t", "o")));
    }

    @Test
    void listingPagesThroughEveryKeyOnceFilteredByTenantAndOwner() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ApiKey k = store.create(sample("tenant-a", i % 2 == 0 ? "even" : "odd"));
            if (i % 2 == 0) expected.add(k.id());
        }
        store.create(sample("tenant-b", "even"));
        List<String> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<ApiKey> p = store.list(new KeyQuery(Optional.of("tenant-a"), Optional.of("even"), 4, cursor));
            assertTrue(p.items().size() <= 4);
            p.items().forEach(k -> seen.add(k.id()));
            cursor = p.nextCursor();
        } while (cursor.isPresent());
        assertEquals(expected.stream().sorted().toList(), seen);
        assertEquals(26, store.list(KeyQuery.all(1000)).items().size());
        assertEquals(1, store.list(new KeyQuery(Optional.of("tenant-b"), Optional.empty(), 10, Optional.empty())).items().size());
    }

    @Test
    void listingFiltersByStatusAndSearchAcrossPages() {
        List<String> billingActive = new ArrayList<>();
        List<String> revoked = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            KeyStatus st = i % 3 == 0 ? KeyStatus.REVOKED : KeyStatus.ACTIVE;
            ApiKey k = store.create(sample("tenant-a", i % 2 == 0 ? "even" : "odd").toBuilder()
                    .name(i % 5 == 0 ? "Billing export " + i : "worker " + i).status(st).start(i == 7 ? "Zq9x" : "AbCd").build());
            if (k.name().startsWith("Billing") && st == KeyStatus.ACTIVE) billingActive.add(k.id());
            if (st == KeyStatus.REVOKED) revoked.add(k.id());
        }
        ApiKey other = store.create(sample("tenant-b", "even").toBuilder().name("billing elsewhere").build());
        ApiKey wild = store.create(sample("tenant-c", "o").toBuilder().name("50%_off!").build());
        store.create(sample("tenant-c", "o").toBuilder().name("500 off").build());

        assertEquals(billingActive.stream().sorted().toList(), all(query("tenant-a", null, KeyStatus.ACTIVE, "BILLING")), "case-insensitive name, status, tenant, through pages of 2");
        assertEquals(revoked.stream().sorted().toList(), all(query("tenant-a", null, KeyStatus.REVOKED, null)));
        assertEquals(revoked.stream().sorted().filter(id -> store.findById(id).orElseThrow().ownerId().equals("even")).toList(),
                all(query("tenant-a", "even", KeyStatus.REVOKED, null)));
        assertEquals(7, all(query(null, null, null, "billing")).size(), "six in tenant-a and one in tenant-b");
        assertTrue(all(query(null, null, null, "billing")).contains(other.id()));
        assertEquals(List.of(other.id()), all(query(null, null, null, other.id())), "the exact key id");
        assertEquals(1, all(query("tenant-a", null, null, "Zq9x")).size(), "the exact start");
        assertEquals(List.of(), all(query("tenant-a", null, null, "zq9x")), "the start is matched exactly, not ignoring case");
        assertEquals(List.of(), all(query(null, null, null, other.id().substring(0, 10))), "a part of an id is no match");
        assertEquals(List.of(wild.id()), all(query(null, null, null, "%_")), "LIKE wildcards are literal text");
        assertEquals(List.of(wild.id()), all(query(null, null, null, "off!")));
        assertEquals(List.of(), all(query("tenant-b", null, KeyStatus.REVOKED, "billing")));
        assertThrows(IllegalArgumentException.class, () -> query(null, null, null, ""));
        assertThrows(IllegalArgumentException.class, () -> query(null, null, null, "x".repeat(KeyQuery.MAX_SEARCH + 1)));
    }

    private static KeyQuery query(String tenant, String owner, KeyStatus status, String search) {
        return new KeyQuery(Optional.ofNullable(tenant), Optional.ofNullable(owner), 2, Optional.empty(), Optional.ofNullable(status), Optional.ofNullable(search));
    }

    /** Every id the query reaches, page after page from its cursor, each page at most its limit. */
    private List<String> all(KeyQuery q) {
        List<String> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<ApiKey> p = store.list(new KeyQuery(q.tenant(), q.ownerId(), q.limit(), cursor, q.status(), q.search()));
            assertTrue(p.items().size() <= q.limit());
            p.items().forEach(k -> seen.add(k.id()));
            cursor = p.nextCursor();
        } while (cursor.isPresent());
        return seen;
    }

    @Test
    void theChangeFeedReportsEveryWriteInOrder() {
        long start = store.lastSequence();
        ApiKey a = store.create(sample("t", "o"));
        ApiKey b = store.create(sample("t", "o"));
        store.update(a.toBuilder().name("x").build());
        List<KeyChange> changes = store.changesSince(start, 100);
        assertEquals(List.of(a.id(), b.id(), a.id()), changes.stream().map(KeyChange::keyId).toList());
        assertEquals(a.digest(), changes.get(0).digest());
        for (int i = 1; i < changes.size(); i++) assertTrue(changes.get(i).sequence() > changes.get(i - 1).sequence());
        assertEquals(changes.get(2).sequence(), store.lastSequence());
        assertEquals(List.of(changes.get(2)), store.changesSince(changes.get(1).sequence(), 100));
        assertEquals(2, store.changesSince(start, 2).size());
        assertTrue(store.changesSince(store.lastSequence(), 100).isEmpty());
    }

    @Test
    void anErasedKeyIsGoneByIdDigestAndListingAndTheFeedSaysSo() {
        ApiKey a = store.create(sample("t", "o"));
        ApiKey b = store.create(sample("t", "o"));
        long before = store.lastSequence();
        assertTrue(store.delete(a.id()));
        assertTrue(store.findById(a.id()).isEmpty());
        assertTrue(store.findByDigest(a.digest()).isEmpty());
        assertEquals(List.of(b.id()), store.list(KeyQuery.all(1000)).items().stream().map(ApiKey::id).filter(id -> id.equals(a.id()) || id.equals(b.id())).toList());
        List<KeyChange> changes = store.changesSince(before, 100);
        assertEquals(1, changes.size());
        assertEquals(a.id(), changes.get(0).keyId());
        assertEquals(a.digest(), changes.get(0).digest(), "other instances drop the cached entry by its digest");
        assertFalse(store.delete(a.id()), "erasing twice finds nothing");
        assertEquals(changes.get(0).sequence(), store.lastSequence(), "nothing erased, nothing in the feed");
        assertThrows(StoreException.NotFound.class, () -> store.update(a));
        // the digest is free again: a key of the same digest can be stored anew
        assertEquals(1, store.create(sample("t", "o").toBuilder().digest(a.digest()).build()).version());
    }
}
