package dev.keys.jmh;

import dev.keys.api.RateLimit;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The verifier's hot path (docs/contract.md §6). Compare {@code cachedValid} with {@code BaselineBenchmark.sha256} of the
 * same run: the goal is at most 1.5x, and at most 64 bytes allocated per call ({@code -prof gc}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VerifyBenchmark {

    /** One store and verifier shared by all threads; a valid key per thread so threads do not share a bucket. */
    @State(Scope.Benchmark)
    public static class Shared {
        Keys keys;
        Requirement requirement;
        String malformed;
        String unknown;

        @Setup(Level.Trial)
        public void setUp() {
            keys = Keys.builder().verifier(v -> v.syncInterval(Duration.ZERO)).build();
            requirement = Requirement.of(PermissionQuery.parse("documents:read"));
            String good = new KeyFormat().generate("sk_live");
            char last = good.charAt(good.length() - 1);
            malformed = good.substring(0, good.length() - 1) + (last == 'A' ? 'B' : 'A'); // right shape, wrong checksum
            unknown = new KeyFormat().generate("sk_live");
            keys.verifier().verify(unknown); // now in the negative cache
        }

        String issue() {
            return VerifyBenchmark.issue(keys);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            keys.close();
        }
    }

    /** A key with five permissions and two bandwidths too wide to ever refuse: what every verify benchmark verifies. */
    static String issue(Keys keys) {
        return keys.manager().create(NewKey.builder("sk_live").ownerId("bench")
                .permissions(Set.of("documents:read", "documents:write", "billing:read", "users:read", "reports:*"))
                .ratelimits(new RateLimit("burst", 1_000_000_000L, Duration.ofSeconds(1)),
                        new RateLimit("sustained", 60_000_000_000L, Duration.ofMinutes(1)))
                .build(), KeyManager.SYSTEM).plaintext();
    }

    @State(Scope.Thread)
    public static class PerThread {
        String key;
        RequestContext ctx;

        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            key = shared.issue();
            ctx = RequestContext.of("GET", "/documents/1");
            if (!shared.keys.verifier().verify(key, ctx, shared.requirement).isValid()) throw new IllegalStateException("setup key not valid");
        }
    }

    @Benchmark
    public Verification cachedValid(Shared s, PerThread t) {
        return s.keys.verifier().verify(t.key, t.ctx, s.requirement);
    }

    @Benchmark
    @Threads(2)
    public Verification cachedValidTwoThreads(Shared s, PerThread t) {
        return s.keys.verifier().verify(t.key, t.ctx, s.requirement);
    }

    @Benchmark
    public Verification malformed(Shared s) {
        return s.keys.verifier().verify(s.malformed);
    }

    @Benchmark
    public Verification unknownKey(Shared s) {
        return s.keys.verifier().verify(s.unknown);
    }
}
