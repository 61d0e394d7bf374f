package dev.keys.jmh;

import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.redis.RedisLimits;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Limits across a fleet (DESIGN.md §6, §7): the same cached-key verify as {@code VerifyBenchmark.cachedValid}, with its
 * buckets in process, in Redis ({@code EXACT}: one round trip a request) or leased from Redis ({@code LOCAL_FIRST}),
 * side by side in one run. Goals: EXACT at least 10,000 verifications a second per instance, LOCAL_FIRST within 1.2x of
 * in process. Needs the Redis of {@code KEYS_REDIS_URL} (default {@code redis://127.0.0.1:6379}); it writes only
 * under a key prefix of its own and deletes it at the end.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FleetBenchmark {

    @State(Scope.Benchmark)
    public static class Fleet {
        @Param({"IN_PROCESS", "EXACT", "LOCAL_FIRST"})
        public String limits;
        String url = System.getenv().getOrDefault("KEYS_REDIS_URL", "redis://127.0.0.1:6379");
        String prefix = "keysbench-" + UUID.randomUUID().toString().substring(0, 8);
        RedisLimits redis;
        Keys keys;
        Requirement requirement;

        @Setup(Level.Trial)
        public void setUp() {
            Keys.Builder b = Keys.builder().verifier(v -> v.syncInterval(Duration.ZERO));
            if (!limits.equals("IN_PROCESS")) {
                // a timeout for a shared 2-core machine: a benchmark measures Redis, never the fallback
                redis = RedisLimits.builder(url).keyPrefix(prefix).timeout(Duration.ofSeconds(1))
                        .mode(RedisLimits.Mode.valueOf(limits)).build();
                b.limiters(redis);
            }
            keys = b.build();
            requirement = Requirement.of(PermissionQuery.parse("documents:read"));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            keys.close();
            if (redis == null) return;
            long fellBack = redis.fallbacks();
            redis.close();
            cleanUp();
            if (fellBack > 0) throw new IllegalStateException(fellBack + " requests fell back: the figures are not Redis's");
        }

        private void cleanUp() {
            RedisClient client = RedisClient.create(url);
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches("{" + prefix + ":*").limit(1000));
                    if (!page.getKeys().isEmpty()) c.sync().del(page.getKeys().toArray(String[]::new));
                    cursor = page;
                } while (!cursor.isFinished());
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    @State(Scope.Thread)
    public static class PerThread {
        String key;
        RequestContext ctx;

        @Setup(Level.Trial)
        public void setUp(Fleet fleet) {
            key = VerifyBenchmark.issue(fleet.keys);
            ctx = RequestContext.of("GET", "/documents/1");
            if (!fleet.keys.verifier().verify(key, ctx, fleet.requirement).isValid()) throw new IllegalStateException("setup key not valid");
        }
    }

    @Benchmark
    public Verification verify(Fleet f, PerThread t) {
        return f.keys.verifier().verify(t.key, t.ctx, f.requirement);
    }

    /*
     * Verifications a second per instance, at 1, 4 and 16 request threads, each on a key of its own: a service serves
     * overlapping requests, and EXACT's round trips then share the one connection (Lettuce pipelines them), so its
     * throughput grows with the threads while each request still waits for its own round trip. Goal: EXACT at least
     * 10,000 a second.
     */

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(1)
    public Verification throughput1(Fleet f, PerThread t) {
        return verify(f, t);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public Verification throughput4(Fleet f, PerThread t) {
        return verify(f, t);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(16)
    public Verification throughput16(Fleet f, PerThread t) {
        return verify(f, t);
    }
}
