package dev.keys.jmh;

import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;
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
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the second lookup by plain SHA-256 (keys imported as hashes, a service hashing with a pepper) costs a miss:
 * compare {@code sha256Fallback=true} with {@code false} in the same run. {@code knownMiss} is an unknown key asked
 * again (both digests in the negative cache); {@code freshMiss} an unknown key the negative cache does not hold
 * (size 1), so that each miss also asks the (in-memory) store, once per digest.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ImportedMissBenchmark {
    @Param({"false", "true"})
    public boolean sha256Fallback;

    Keys keys, fresh;
    String unknown;
    String[] unknowns = new String[1024];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        KeyHasher pepper = PepperBenchmark.PEPPER;
        keys = Keys.builder().hasher(pepper).verifier(v -> v.syncInterval(Duration.ZERO).acceptSha256Imports(sha256Fallback)).build();
        fresh = Keys.builder().hasher(pepper)
                .verifier(v -> v.syncInterval(Duration.ZERO).negativeCache(1, Duration.ofSeconds(30)).acceptSha256Imports(sha256Fallback)).build();
        KeyFormat f = new KeyFormat();
        unknown = f.generate("sk_live");
        for (int i = 0; i < unknowns.length; i++) unknowns[i] = f.generate("sk_live");
        keys.verifier().verify(unknown);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        keys.close();
        fresh.close();
    }

    @Benchmark
    public Verification knownMiss() {
        return keys.verifier().verify(unknown);
    }

    @Benchmark
    public Verification freshMiss() {
        return fresh.verifier().verify(unknowns[next++ & 1023]);
    }
}
