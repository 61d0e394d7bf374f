package dev.keys.jmh;

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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The yardsticks of the budget in docs/contract.md §6, measured in the same run as the code held to them: one SHA-256 of a
 * key, and Bucket4j's lock-free local bucket.
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

    @Benchmark
    public boolean bucket4jTryConsume(Bucket4j s) {
        return s.bucket.tryConsume(1);
    }
}
