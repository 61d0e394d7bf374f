package dev.keys.redis;

import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.RateLimiter;
import dev.keys.core.ops.Alert;
import dev.keys.test.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static dev.keys.core.specs.RateLimiterSpec.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redis killed mid-run, restarted, paused or never there: limits go on, never unlimited, and come back shared. */
class FaultTest {
    static final long S = 1_000_000_000L;
    static final long T0 = 1_700_000_000L * S;
    static final List<RateLimit> TEN_A_MINUTE = List.of(new RateLimit("minute", 10, Duration.ofMinutes(1)));
    OwnRedis server;
    /** Alerts arrive on the probe's thread: the test takes them from here, waiting for the event, not for time. */
    final BlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();
    /** The thread each alert arrived on: the probe's scheduler. */
    final BlockingQueue<String> alertThreads = new LinkedBlockingQueue<>();
    final List<LogRecord> logs = new CopyOnWriteArrayList<>();
    final Logger log = Logger.getLogger("dev.keys.redis");
    final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logs.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() {
        server = new OwnRedis();
        log.addHandler(handler);
    }

    @AfterEach
    void stop() {
        log.removeHandler(handler);
        server.close();
    }

    /** The probe runs by hand, so nothing waits on time; a killed server refuses at once, whatever the timeout. */
    RedisLimits.Builder limits(String url) {
        return RedisLimits.builder(url).timeout(RedisTests.TIMEOUT).probeInterval(Duration.ofHours(1)).alerts(a -> {
            alertThreads.add(Thread.currentThread().getName());
            alerts.add(a);
        });
    }

    static void client(StatefulRedisConnection<String, String> c, String... args) {
        CommandArgs<String, String> a = new CommandArgs<>(StringCodec.UTF8);
        for (String x : args) a.add(x);
        c.sync().dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8), a);
    }

    Alert alert() {
        try {
            Alert a = alerts.poll(30, TimeUnit.SECONDS);
            if (a == null) throw new AssertionError("no alert");
            return a;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    long warnings() {
        return logs.stream().filter(r -> r.getLevel() == Level.WARNING).count();
    }

    @Test
    void killedMidRunLimitsFallBackToInProcessBucketsThenTheSharedStateTakesOver() throws Exception {
        try (RedisLimits redis = limits(server.url()).build()) {
            RateLimiter l = redis.create(RedisTests.anyKey(), TEN_A_MINUTE);
            for (int i = 0; i < 4; i++) assertTrue(l.tryConsume(1, T0).admitted());
            assertTrue(redis.available());
            server.kill();
            int admitted = 0;
            for (int i = 0; i < 30; i++) if (l.tryConsume(1, T0).admitted()) admitted++;
            assertEquals(10, admitted, "in-process buckets, full, and limited: never unlimited");
            assertFalse(redis.available());
            assertEquals(30, redis.fallbacks());
            assertEquals(1, redis.failures(), "one failed call takes the link down; the rest do not wait for Redis");
            assertEquals(1, warnings(), "one log line per transition");
            assertEquals("redis-down", alert().rule());
            assertFalse(redis.probe(), "still down");

            server.start();
            assertTrue(redis.probe());
            assertTrue(redis.available());
            long calls = redis.calls();
            assertEquals(10, drain(l, T0, 30), "a restarted Redis kept nothing: the shared bucket is full");
            assertEquals(30, redis.calls() - calls, "decided in Redis again");
            assertEquals(30, redis.fallbacks(), "no more fallbacks");
            assertEquals(1, warnings());
            assertTrue(alerts.isEmpty(), "one alert per outage");
        }
    }

    @Test
    void localFirstSpendsItsLeaseThroughAnOutageThenFallsBack() {
        try (RedisLimits redis = limits(server.url()).mode(RedisLimits.Mode.LOCAL_FIRST).build()) {
            RateLimiter l = redis.create(RedisTests.anyKey(), List.of(new RateLimit("hour", 1000, Duration.ofHours(1))));
            assertTrue(l.tryConsume(1, T0).admitted());
            assertTrue(l.tryConsume(1, T0).admitted()); // leases 100
            server.kill();
            assertEquals(100, drain(l, T0, 100), "the lease is the fleet's to spend, Redis or not");
            assertEquals(0, redis.fallbacks());
            assertEquals(1000, drain(l, T0, 2000), "then in-process buckets, full");
            assertFalse(redis.available());
        }
    }

    @Test
    void failClosedAnswersStoreUnavailableForLimitedKeysOnly() {
        ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
        try (RedisLimits redis = limits(server.url()).onFailure(RedisLimits.FaultPolicy.UNAVAILABLE).build();
             Keys keys = Keys.builder().clock(clock).limiters(redis).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            IssuedKey limited = keys.manager().create(NewKey.builder("sk_test").ratelimits(TEN_A_MINUTE.get(0)).build(), SYSTEM);
            IssuedKey free = keys.manager().create(NewKey.builder("sk_test").build(), SYSTEM);
            assertEquals(Outcome.VALID, keys.verifier().verify(limited.plaintext()).outcome());
            server.kill();
            Verification v = keys.verifier().verify(limited.plaintext());
            assertEquals(Outcome.STORE_UNAVAILABLE, v.outcome());
            assertEquals("rate limits are unavailable", ((Verification.Denied) v).detail());
            assertEquals(Outcome.VALID, keys.verifier().verify(free.plaintext()).outcome(), "a key without limits needs no Redis");
            assertFalse(keys.verifier().storeDown(), "the key store is fine");
            server.start();
            assertTrue(redis.probe());
            assertEquals(Outcome.VALID, keys.verifier().verify(limited.plaintext()).outcome());
        }
    }

    @Test
    void aSlowRedisIsTreatedAsDown() {
        try (RedisLimits redis = limits(server.url()).timeout(Duration.ofSeconds(1)).build()) {
            RateLimiter l = redis.create(RedisTests.anyKey(), TEN_A_MINUTE);
            assertTrue(l.tryConsume(1, T0).admitted());
            RedisClient admin = RedisClient.create(server.url());
            try (StatefulRedisConnection<String, String> c = admin.connect()) {
                client(c, "PAUSE", "60000", "WRITE"); // scripts wait; this connection can still unpause
                LimitResult r = l.tryConsume(1, T0);
                assertTrue(r.admitted(), "decided by the in-process bucket after the timeout");
                assertFalse(redis.available());
                assertEquals(1, redis.fallbacks());
                client(c, "UNPAUSE");
            } finally {
                admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            assertTrue(redis.probe());
            assertEquals(8, drain(l, T0, 20), "shared again: 10 less the 2 Redis saw");
        }
    }

    @Test
    void anUnreachableRedisAtStartIsAnOutageFromTheStart() {
        int port = server.port;
        server.kill();
        try (RedisLimits redis = limits("redis://127.0.0.1:" + port).build()) {
            assertFalse(redis.available());
            RateLimiter l = redis.create(RedisTests.anyKey(), TEN_A_MINUTE);
            assertEquals("redis-down", alert().rule());
            assertEquals("keys-redis-probe", alertThreads.poll(), "used alone: a probe thread of its own, from its first limiter");
            assertEquals(10, drain(l, T0, 20));
            server.start();
            assertTrue(redis.probe());
            assertEquals(10, drain(l, T0, 20), "now in Redis");
            assertEquals(20, redis.calls());
        }
    }

    @Test
    void aScriptRedisForgotIsLoadedAgainAndEveryBucketExpiresWhenIdle() {
        try (RedisLimits redis = limits(server.url()).build()) {
            RateLimiter l = redis.create(RedisTests.key("key_1", "t", "acme"), TEN_A_MINUTE);
            assertTrue(l.tryConsume(1, T0).admitted());
            RedisClient admin = RedisClient.create(server.url());
            try (StatefulRedisConnection<String, String> c = admin.connect()) {
                long ttl = c.sync().pttl("{keys:k:key_1}:k:key_1");
                // full again 60 s after its last take, plus the idle margin (lease time, clock skew, 10 s)
                assertTrue(ttl > 60_000 && ttl <= 60_000 + 11_250 + 1, "ttl " + ttl);
                c.sync().scriptFlush();
                assertEquals(9, drain(l, T0, 20), "NOSCRIPT: loaded again, same bucket");
                assertEquals(0, redis.fallbacks());
            } finally {
                admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void givenToKeysTheProbeRunsOnItsSchedulerAndNoThreadOfItsOwn() throws Exception {
        int port = server.port;
        server.kill();
        try (RedisLimits redis = limits("redis://127.0.0.1:" + port).build();
             Keys keys = Keys.builder().limiters(redis).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            assertEquals("redis-down", alert().rule());
            assertEquals(Keys.THREAD_NAME, alertThreads.poll(), "on the Keys's one background thread");
            IssuedKey k = keys.manager().create(NewKey.builder("sk_test").ratelimits(TEN_A_MINUTE.get(0)).build(), SYSTEM);
            assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext()).outcome(), "fell back");
            server.start();
            assertTrue(redis.probe());
            assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext()).outcome());
        }
    }
}
