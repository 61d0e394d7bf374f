package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The shared Redis of the machine and CI ({@code KEYS_TEST_REDIS_URL}, default {@code redis://127.0.0.1:6379}),
 * used with a key prefix of its own per test class and cleaned up after. Nothing here ever stops that server.
 */
final class RedisTests {
    static final String URL = System.getenv().getOrDefault("KEYS_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    /** Generous: the machine is shared, and these tests assert counts, not latencies. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private RedisTests() {
    }

    static String prefix() {
        return "keystest-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RedisLimits.Builder limits(String prefix) {
        return RedisLimits.builder(URL).keyPrefix(prefix).timeout(TIMEOUT);
    }

    static ApiKey key(String id, String tenant, String owner) {
        byte[] d = new byte[32];
        ThreadLocalRandom.current().nextBytes(d);
        Instant t = Instant.parse("2026-03-01T12:00:00Z");
        return ApiKey.builder().id(id).tenant(tenant).ownerId(owner).prefix("sk_test").start("abcd").digest(Digest.of(d))
                .createdAt(t).updatedAt(t).build();
    }

    static ApiKey anyKey() {
        return key("key_" + UUID.randomUUID(), "default", "acme");
    }

    /** Deletes every Redis key under {@code prefix}; returns how many there were. */
    static long cleanUp(String url, String prefix) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            long n = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches("{" + prefix + ":*").limit(1000));
                if (!page.getKeys().isEmpty()) n += c.sync().del(page.getKeys().toArray(String[]::new));
                cursor = page;
            } while (!cursor.isFinished());
            return n;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
