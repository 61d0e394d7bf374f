package dev.keys.jmh;

import dev.keys.api.Digest;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.verify.Verifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The cost of a first verification (docs/contract.md §6: compiling a key into its entry under 2 µs), per key, over
 * batches of {@value #KEYS} keys (2 permissions, 1 bandwidth, in an {@link InMemoryKeyStore}): {@code first} verifies
 * each once on a fresh verifier (every call a miss: store read and compile), {@code cached} the same keys on a warm one,
 * {@code storeRead} reads them from the store alone. Compiling is {@code first - cached - storeRead}: the store's own
 * cost is left out because another store (PostgreSQL) costs what it costs. Single shots, as each batch is cold once.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 20)
@Fork(1)
public class CompileBenchmark {
    static final int KEYS = 10_000;

    @State(Scope.Benchmark)
    public static class Keys {
        final InMemoryKeyStore store = new InMemoryKeyStore();
        final String[] plaintexts = new String[KEYS];
        final Digest[] digests = new Digest[KEYS];
        Verifier cold, warm;

        @Setup(Level.Trial)
        public void fill() {
            CacheMemory.fill(store, plaintexts, digests);
            warm = Verifier.builder(store).syncInterval(Duration.ZERO).build();
            for (String p : plaintexts) warm.verify(p);
        }

        @Setup(Level.Invocation)
        public void freshVerifier() {
            cold = Verifier.builder(store).syncInterval(Duration.ZERO).build();
        }

        @TearDown(Level.Invocation)
        public void closeVerifier() {
            cold.close();
        }

        @TearDown(Level.Trial)
        public void close() {
            warm.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int first(Keys k) {
        int valid = 0;
        for (String p : k.plaintexts) if (k.cold.verify(p).isValid()) valid++;
        return valid;
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int cached(Keys k) {
        int valid = 0;
        for (String p : k.plaintexts) if (k.warm.verify(p).isValid()) valid++;
        return valid;
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int storeRead(Keys k) {
        int found = 0;
        for (Digest d : k.digests) if (k.store.findByDigest(d).isPresent()) found++;
        return found;
    }
}
