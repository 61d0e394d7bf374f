package dev.keys.redis;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How many Redis round trips a limited request costs (docs/contract.md §6: EXACT at most one), counted by the server:
 * {@code MONITOR} on a {@code redis-server} of the test's own lists every command a client sends, and marks those a
 * script runs inside Redis as {@code [0 lua]}, so the client's own commands between two markers are its round trips.
 * Requests go through the verifier, and each reads its RateLimit fields as the filter does.
 */
class RoundTripTest {
    static final List<RateLimit> TWO_BANDWIDTHS = List.of(new RateLimit("burst", 1_000, Duration.ofSeconds(1)),
            new RateLimit("hour", 1_000_000, Duration.ofHours(1)));
    OwnRedis server;
    Monitor monitor;
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        server = new OwnRedis();
        monitor = new Monitor(server.port);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) opened.get(i).close(); // the verifier before its limits
        monitor.close();
        server.close();
    }

    Keys keys(RedisLimits.Mode mode) {
        RedisLimits redis = RedisLimits.builder(server.url()).mode(mode).timeout(RedisTests.TIMEOUT).build();
        opened.add(redis);
        Keys keys = Keys.builder().store(new InMemoryKeyStore()).clock(clock).limiters(redis)
                .verifier(v -> v.syncInterval(Duration.ZERO)).build();
        opened.add(keys);
        return keys;
    }

    /** The plaintext of a new key with two bandwidths, verified once so that its entry (and script) is in place. */
    String limitedKey(Keys keys) {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").ratelimits(TWO_BANDWIDTHS).build(), SYSTEM);
        assertTrue(keys.verifier().verify(k.plaintext()).isValid());
        return k.plaintext();
    }

    /** Verifies {@code n} times, 1 ms apart, reading each answer's RateLimit fields; returns the commands Redis saw. */
    List<String> commandsOf(Keys keys, String key, int n) {
        monitor.mark();
        for (int i = 0; i < n; i++) {
            clock.advance(Duration.ofMillis(1));
            Verification v = keys.verifier().verify(key);
            assertTrue(v.isValid(), "request " + i);
            List<RateLimitStatus> fields = ((Verification.Valid) v).rateLimits().statuses();
            assertEquals(2, fields.size());
        }
        return monitor.mark();
    }

    @Test
    void exactIsOneEvalshaPerLimitedRequestAndNothingElse() {
        Keys keys = keys(RedisLimits.Mode.EXACT);
        String key = limitedKey(keys);
        List<String> commands = commandsOf(keys, key, 200);
        assertEquals(200, commands.size(), "round trips for 200 requests: " + commands.subList(0, Math.min(5, commands.size())));
        for (String c : commands) assertTrue(c.startsWith("\"EVALSHA\""), c); // never EVAL, SCRIPT LOAD, TTL or a read
    }

    @Test
    void aKeyWithoutRateLimitsNeverTouchesRedis() {
        Keys keys = keys(RedisLimits.Mode.EXACT);
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").build(), SYSTEM);
        monitor.mark();
        for (int i = 0; i < 50; i++) assertTrue(keys.verifier().verify(k.plaintext()).isValid());
        assertEquals(List.of(), monitor.mark());
    }

    @Test
    void localFirstTakesOneRoundTripPerLeaseNotPerRequest() {
        Keys keys = keys(RedisLimits.Mode.LOCAL_FIRST);
        String key = limitedKey(keys);
        commandsOf(keys, key, 200); // the rate this instance sees, for the size of its leases
        List<String> commands = commandsOf(keys, key, 1_000);
        // 1,000 a second for 1 s, against leases of up to a tenth of 1,000 renewed once their second is over
        assertFalse(commands.isEmpty());
        assertTrue(commands.size() <= 1_000 / 50, "round trips for 1,000 requests: " + commands.size());
        for (String c : commands) assertTrue(c.startsWith("\"EVALSHA\""), c);
    }

    /**
     * A client in {@code MONITOR} mode, read line by line. {@link #mark} sends a marker through a second connection
     * and returns the commands of other clients seen since the previous marker (waiting for the marker itself, never
     * for time): the monitored clients' commands arrive in the order Redis ran them.
     */
    static final class Monitor implements AutoCloseable {
        private final Socket watch, poke;
        private final BufferedReader in;
        private final BufferedReader pokeIn;
        private final String marker = "keys-round-trip-" + UUID.randomUUID();
        private int marks;

        Monitor(int port) {
            try {
                watch = new Socket("127.0.0.1", port);
                watch.setSoTimeout(60_000);
                in = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8));
                send(watch.getOutputStream(), "MONITOR");
                assertEquals("+OK", in.readLine());
                poke = new Socket("127.0.0.1", port);
                poke.setSoTimeout(60_000);
                pokeIn = new BufferedReader(new InputStreamReader(poke.getInputStream(), StandardCharsets.UTF_8));
                mark();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void send(OutputStream out, String... args) throws IOException {
            StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
            for (String a : args) b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** The commands clients sent since the last mark (those scripts ran inside Redis left out). */
        List<String> mark() {
            try {
                String m = marker + "-" + marks++;
                send(poke.getOutputStream(), "ECHO", m);
                pokeIn.readLine(); // $<length>
                pokeIn.readLine(); // the marker
                List<String> seen = new ArrayList<>();
                for (String line; (line = in.readLine()) != null; ) {
                    // +<time> [<db> <client address or lua>] "COMMAND" "arg" ...
                    int close = line.indexOf("] ");
                    if (close < 0) continue;
                    String command = line.substring(close + 2);
                    if (command.equals("\"ECHO\" \"" + m + "\"")) return seen;
                    if (line.substring(0, close).endsWith(" lua")) continue;
                    seen.add(command);
                }
                throw new AssertionError("MONITOR ended before the marker");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            poke.close();
            watch.close();
        }
    }
}
