package dev.keys.redis;

import dev.keys.api.Background;
import dev.keys.core.ops.Alert;
import dev.keys.core.ops.AlertListener;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one connection to Redis and whether it is usable. Request threads call {@link #eval} only while it is up, and
 * a failed or timed-out call takes it down (one log line and one alert per transition); from then on no request
 * waits for Redis: a background probe every {@code probeInterval} opens a new connection, loads the script and brings
 * the link up, and the shared state takes over again from the next request. Lettuce does not reconnect on its own
 * and refuses commands while disconnected, so that nothing queues behind a dead connection. The probe runs on the
 * scheduler it is {@linkplain #start started} on (a {@code Keys}'s), or on a thread of its own when used alone.
 */
final class Link implements AutoCloseable {
    static final System.Logger LOG = System.getLogger("dev.keys.redis");

    /** Keys as text, the script's arguments and answers as bytes: its numbers are binary (see {@code Lane}). */
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private final ClientResources resources;
    private final RedisClient client;
    private final String where;
    private final String script;
    private final String sha;
    private final AlertListener alerts;
    private final String fallbackText;
    private final long probeMillis;
    private volatile ScheduledExecutorService probe;
    private ScheduledFuture<?> probing;
    private ScheduledExecutorService ownScheduler;
    private boolean unreachableAtStart;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile boolean up;
    private volatile boolean closed;

    Link(String uri, Duration timeout, Duration probeInterval, AlertListener alerts, boolean failClosed) {
        RedisURI u = RedisURI.create(uri);
        u.setTimeout(timeout);
        this.where = u.getHost() != null ? u.getHost() + ":" + u.getPort() : "sentinel " + u.getSentinelMasterId();
        this.script = load();
        this.sha = sha1(script);
        this.alerts = alerts;
        this.fallbackText = failClosed ? "rate-limited requests answer STORE_UNAVAILABLE" : "rate limits fall back to in-process buckets";
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources, u);
        client.setOptions(ClientOptions.builder().autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(max(timeout, Duration.ofMillis(500))).build())
                .build());
        this.probeMillis = Math.max(1, probeInterval.toMillis());
        if (!connect()) {
            LOG.log(System.Logger.Level.WARNING, "keys-redis: Redis at {0} is unreachable; {1} until it answers", where, fallbackText);
            unreachableAtStart = true; // alerted once started: alerts go out on the probe's scheduler
        }
    }

    /**
     * Runs the probe (and alerts) on {@code scheduler}, which stays its owner's. Only the first call, or
     * {@link #startAlone}, counts; none after close.
     */
    synchronized void start(ScheduledExecutorService scheduler) {
        if (probe != null || closed) return;
        probe = scheduler;
        probing = scheduler.scheduleWithFixedDelay(this::probe, probeMillis, probeMillis, TimeUnit.MILLISECONDS);
        if (unreachableAtStart && !up) notify("Redis at " + where + " is unreachable at start; " + fallbackText);
    }

    /** Used without a scheduler handed in: a daemon thread of its own, stopped by close. */
    void startAlone() {
        if (probe != null) return;
        synchronized (this) {
            if (probe != null || closed) return;
            ownScheduler = Background.daemonScheduler("keys-redis-probe");
            start(ownScheduler);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    boolean up() {
        return up;
    }

    /**
     * Runs the script once (EVALSHA, loading it again when Redis lost it), or takes the link down and throws.
     *
     * @throws Down when Redis failed, timed out or is down
     */
    List<Object> eval(String[] keys, byte[][] args) {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (!up || c == null) throw Down.INSTANCE;
        calls.increment();
        try {
            try {
                return c.sync().evalsha(sha, ScriptOutputType.MULTI, keys, args);
            } catch (RedisNoScriptException e) {
                c.sync().scriptLoad(script); // a restarted or flushed Redis
                return c.sync().evalsha(sha, ScriptOutputType.MULTI, keys, args);
            }
        } catch (RuntimeException e) {
            failed(e);
            throw Down.INSTANCE;
        }
    }

    /** Counts a request decided without Redis. */
    void fellBack() {
        fallbacks.increment();
    }

    long calls() {
        return calls.sum();
    }

    long failures() {
        return failures.sum();
    }

    long fallbacks() {
        return fallbacks.sum();
    }

    private void failed(RuntimeException e) {
        failures.increment();
        synchronized (this) {
            if (!up) return;
            up = false;
        }
        LOG.log(System.Logger.Level.WARNING, "keys-redis: Redis at {0} failed ({1}); {2} until it answers",
                where, e.getClass().getSimpleName(), fallbackText);
        notify("Redis at " + where + " failed (" + e.getClass().getSimpleName() + "); " + fallbackText);
    }

    /** Alerts go out on the probe's thread, never on a request thread. */
    private void notify(String message) {
        Instant now = Instant.now();
        Alert a = new Alert("redis-down", Optional.empty(), Optional.empty(), Optional.empty(), now, now, 1, message);
        ScheduledExecutorService p = probe;
        if (p == null) return; // not started: the start alerts if still down
        try {
            p.execute(() -> {
                try {
                    alerts.onAlert(a);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "keys-redis: an alert listener failed: {0}", e.toString());
                }
            });
        } catch (RuntimeException e) {
            // the scheduler was shut down by its owner
        }
    }

    /** One probe: when down, tries Redis and brings the link up if it answers. Package-private for tests. */
    boolean probe() {
        if (up || closed) return up;
        if (connect()) LOG.log(System.Logger.Level.INFO, "keys-redis: Redis at {0} answers again; rate limits are shared again", where);
        return up;
    }

    private boolean connect() {
        try {
            StatefulRedisConnection<String, byte[]> c = connection;
            if (c == null || !c.isOpen()) {
                if (c != null) c.closeAsync();
                c = client.connect(CODEC);
                connection = c;
            }
            c.sync().scriptLoad(script);
            up = !closed;
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            up = false;
            if (probing != null) probing.cancel(false);
            if (ownScheduler != null) ownScheduler.shutdownNow();
        }
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) c.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static String load() {
        try (InputStream in = Link.class.getResourceAsStream("limits.lua")) {
            if (in == null) throw new IllegalStateException("limits.lua is missing from keys-redis");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String s) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(40);
            for (byte x : h) b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            return b.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Redis could not answer; preallocated, as it is an expected outcome on a request thread. */
    static final class Down extends RuntimeException {
        static final Down INSTANCE = new Down();

        private Down() {
            super("Redis is down", null, false, false);
        }
    }
}
