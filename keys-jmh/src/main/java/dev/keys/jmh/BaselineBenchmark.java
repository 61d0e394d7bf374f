package dev.keys.jmh;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The yardsticks of the budget in docs/contract.md §6, measured in the same run as the code held to them: one SHA-256 of a
 * key, Bucket4j's lock-free local bucket, and the floor of a cached verification (the parts no implementation of the
 * contract can skip, in one call).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BaselineBenchmark {

    /** A generated-looking key: prefix, 32 base62 characters of secret, 6 of checksum (45 characters). */
    static final String KEY = "sk_dev_4Jd8qZr1VbN7xLm2PwT9kYc3HsG6fQa0Ue5R2b";

    /** Capacity and refill of one billion per second: never denies a single thread. Shared with TokenBucketBenchmark. */
    static final long CAPACITY = 1_000_000_000L;

    @State(Scope.Thread)
    public static class Sha {
        MessageDigest digest;
        byte[] key;
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();

        @Setup
        public void setup() throws NoSuchAlgorithmException {
            digest = MessageDigest.getInstance("SHA-256");
            key = KEY.getBytes(StandardCharsets.US_ASCII);
            if (key.length != 45) throw new IllegalStateException("key must be 45 characters, is " + key.length);
        }
    }

    @State(Scope.Benchmark)
    public static class Bucket4j {
        Bucket bucket;

        @Setup
        public void setup() {
            bucket = Bucket.builder()
                    .addLimit(limit -> limit.capacity(CAPACITY).refillGreedy(CAPACITY, Duration.ofSeconds(1)))
                    .withNanosecondPrecision() // System.nanoTime, as keys' Clock.system()
                    .build();
        }
    }

    @Benchmark
    public byte[] sha256(Sha s) {
        return s.digest.digest(s.key);
    }

    /**
     * The yardstick of {@code VerifyBenchmark.cachedValidTwoThreads}: two threads hashing, each with its own digest
     * and nothing shared. Its throughput over {@code sha256}'s (2 × sha256 ÷ this, per op per thread) is the most
     * two threads gain on the machine; where it is under 1.8x, so is any verifier.
     */
    @Benchmark
    @Threads(2)
    public byte[] sha256TwoThreads(Sha s) {
        return s.digest.digest(s.key);
    }

    /**
     * The floor of {@code VerifyBenchmark.malformed}: the CRC32 of the key's first 39 bytes (all but the checksum),
     * which the format check cannot skip (docs/contract.md §2), measured alone.
     */
    @Benchmark
    public long crc32(Sha s) {
        java.util.zip.CRC32 crc = s.crc;
        crc.reset();
        crc.update(s.key, 0, s.key.length - 6);
        return crc.getValue();
    }

    /** What {@link #floor} needs: the key's bytes, a digest, a CRC32, a clock, and a cache holding the key's digest. */
    @State(Scope.Thread)
    public static class Floor {
        final MessageDigest digest;
        final byte[] key = KEY.getBytes(StandardCharsets.US_ASCII);
        final byte[] out = new byte[32];
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        final Probe probe = new Probe();
        /** Configured as the verifier's cache (docs/contract.md §6: one lookup of 6 to 17 ns). */
        final Cache<Probe, Object> cache = Caffeine.newBuilder().maximumSize(1_000_000).executor(Runnable::run).recordStats().build();

        public Floor() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            Probe stored = new Probe();
            stored.set(digest.digest(key));
            cache.put(stored, new Object());
            probe.set(digest.digest(key)); // for cacheLookup; floor sets it again each call
        }
    }

    /**
     * A digest as four longs, compared and hashed as the verifier's cache key is; reused as the lookup probe. Read an
     * int at a time, as the digest was written (a long read across two int writes waits for both).
     */
    static final class Probe {
        private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
        long a, b, c, d;

        Probe set(byte[] bytes) {
            a = (long) (int) INTS.get(bytes, 0) << 32 | ((int) INTS.get(bytes, 4) & 0xffffffffL);
            b = (long) (int) INTS.get(bytes, 8) << 32 | ((int) INTS.get(bytes, 12) & 0xffffffffL);
            c = (long) (int) INTS.get(bytes, 16) << 32 | ((int) INTS.get(bytes, 20) & 0xffffffffL);
            d = (long) (int) INTS.get(bytes, 24) << 32 | ((int) INTS.get(bytes, 28) & 0xffffffffL);
            return this;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Probe x && ((a ^ x.a) | (b ^ x.b) | (c ^ x.c) | (d ^ x.d)) == 0;
        }

        @Override
        public int hashCode() {
            return (int) (a ^ (a >>> 32));
        }
    }

    /**
     * The floor of {@code VerifyBenchmark.cachedValid}: what docs/contract.md §6 names as the unavoidable work of a
     * verification (one SHA-256 of the key, one cache lookup, one clock read) and the CRC32 that §2 requires before
     * any hash, each done once in the simplest way, with nothing else: no character check, no permission, no bucket.
     * Where this alone is over 1.5x {@link #sha256}, no verifier that keeps the contract meets that goal on the machine.
     */
    @Benchmark
    public Object floor(Floor f, Blackhole bh) throws DigestException {
        java.util.zip.CRC32 crc = f.crc;
        crc.reset();
        crc.update(f.key, 0, f.key.length - 6);
        bh.consume(crc.getValue());
        f.digest.update(f.key);
        f.digest.digest(f.out, 0, 32);
        bh.consume(System.nanoTime());
        return f.cache.getIfPresent(f.probe.set(f.out));
    }

    /**
     * One lookup of a cached digest in a cache configured as the verifier's, alone: with {@link #sha256}, {@link #crc32}
     * and {@link #nanoTime} the parts of {@link #floor}, each measured by itself in the same run.
     */
    @Benchmark
    public Object cacheLookup(Floor f) {
        return f.cache.getIfPresent(f.probe);
    }

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public boolean bucket4jTryConsume(Bucket4j s) {
        return s.bucket.tryConsume(1);
    }
}
