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
 * a batch of keys never seen before once each (every call a miss: store read and compile), {@code cached} a batch
 * already cached, {@code storeRead} reads a batch from the store alone. Compiling is {@code first - cached - storeRead}:
 * the store's own cost is left out because another store (PostgreSQL) costs what it costs. Single shots, as each
 * batch is cold once.
 *
 * <p>One verifier serves the whole run, as in a service: each shot's fresh batch is added to the store before the
 * shot (not timed) and joins a cache that already holds the earlier batches, so that neither a new verifier's start
 * nor its cache growing from empty is counted as compiling, and the garbage of making the batch is collected
 * before the shot.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 20)
@Measurement(iterations = 50)
@Fork(1)
public class CompileBenchmark {
    static final int KEYS = 10_000;

    /** The keys {@code first} verifies: a fresh batch before each shot, in a store and verifier kept for the run. */
    @State(Scope.Benchmark)
    public static class Fresh {
        final InMemoryKeyStore store = new InMemoryKeyStore();
        final String[] plaintexts = new String[KEYS];
        final Digest[] digests = new Digest[KEYS];
        long batches;
        Verifier verifier;

        @Setup(Level.Trial)
        public void start() {
            verifier = Verifier.builder(store).syncInterval(Duration.ZERO).build();
        }

        @Setup(Level.Invocation)
        public void freshBatch() {
            CacheMemory.fill(store, plaintexts, digests, KEYS * batches++);
            // Making the keys leaves garbage that would otherwise be collected during the shot (seconds of pauses in 50 shots).
            CacheMemory.usedAfterGc();
        }

        @TearDown(Level.Trial)
        public void close() {
            verifier.close();
        }
    }

    /** The keys {@code cached} and {@code storeRead} use: one batch, cached once before the run. */
    @State(Scope.Benchmark)
    public static class Warm {
        final InMemoryKeyStore store = new InMemoryKeyStore();
        final String[] plaintexts = new String[KEYS];
        final Digest[] digests = new Digest[KEYS];
        Verifier verifier;

        @Setup(Level.Trial)
        public void fill() {
            CacheMemory.fill(store, plaintexts, digests);
            verifier = Verifier.builder(store).syncInterval(Duration.ZERO).build();
            for (String p : plaintexts) verifier.verify(p);
        }

        @TearDown(Level.Trial)
        public void close() {
            verifier.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int first(Fresh k) {
        int valid = 0;
        for (String p : k.plaintexts) if (k.verifier.verify(p).isValid()) valid++;
        return valid;
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int cached(Warm k) {
        int valid = 0;
        for (String p : k.plaintexts) if (k.verifier.verify(p).isValid()) valid++;
        return valid;
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public int storeRead(Warm k) {
        int found = 0;
        for (Digest d : k.digests) if (k.store.findByDigest(d).isPresent()) found++;
        return found;
    }
}
