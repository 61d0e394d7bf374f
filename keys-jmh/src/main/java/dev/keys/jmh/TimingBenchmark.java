package dev.keys.jmh;

import dev.keys.api.Outcome;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether the time of a denial tells an attacker which kind of denial it is (docs/hardening.md, "Timing"). Three
 * well-formed keys of the same prefix and length, each in the state production would hold it in: an unknown key
 * in the negative cache, a revoked and an expired key as cached entries. A measurement, never a test: run
 * {@code java -jar keys-jmh/target/benchmarks.jar TimingBenchmark -f 1 -wi 3 -i 5} and compare the three scores;
 * {@code validKey} is there for scale only.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class TimingBenchmark {
    Keys keys;
    String unknown, revoked, expired, valid;

    @Setup(Level.Trial)
    public void setUp() {
        // A manual clock so that a key can expire without waiting; every method reads it once, alike.
        Instant t0 = Instant.parse("2026-03-01T12:00:00Z");
        ManualClock clock = new ManualClock(t0);
        keys = Keys.builder().clock(clock).verifier(v -> v.syncInterval(Duration.ZERO)).build();
        KeyManager m = keys.manager();
        unknown = new KeyFormat().generate("sk_live");
        valid = m.create(NewKey.builder("sk_live").ownerId("bench").build(), KeyManager.SYSTEM).plaintext();
        var r = m.create(NewKey.builder("sk_live").ownerId("bench").build(), KeyManager.SYSTEM);
        revoked = r.plaintext();
        expired = m.create(NewKey.builder("sk_live").ownerId("bench").expiresAt(t0.plusSeconds(60)).build(), KeyManager.SYSTEM).plaintext();
        for (String k : new String[] {unknown, valid, revoked, expired}) keys.verifier().verify(k); // cache (or negative-cache) each
        m.revoke(r.key().id(), KeyManager.SYSTEM, Optional.of("benchmark"));
        clock.advance(Duration.ofMinutes(2));
        expect(unknown, Outcome.NOT_FOUND);
        expect(revoked, Outcome.REVOKED);
        expect(expired, Outcome.EXPIRED);
        expect(valid, Outcome.VALID);
        if (keys.verifier().cachedKeys() != 3) throw new IllegalStateException("expected 3 cached entries, found " + keys.verifier().cachedKeys());
    }

    private void expect(String key, Outcome o) {
        Verification v = keys.verifier().verify(key);
        if (v.outcome() != o) throw new IllegalStateException("expected " + o + ", got " + v.outcome());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        keys.close();
    }

    @Benchmark
    public Verification unknownKey() {
        return keys.verifier().verify(unknown);
    }

    @Benchmark
    public Verification revokedKey() {
        return keys.verifier().verify(revoked);
    }

    @Benchmark
    public Verification expiredKey() {
        return keys.verifier().verify(expired);
    }

    @Benchmark
    public Verification validKey() {
        return keys.verifier().verify(valid);
    }
}
