package dev.keys.jmh;

import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.hash.KeyHasher;
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

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A verifier hashing with a pepper (HMAC-SHA256, as the example service does): {@code cachedValid} is
 * {@code VerifyBenchmark.cachedValid} with the pepper, {@code hmac} the key's HMAC alone. A key verified before is
 * found by its plain SHA-256, so {@code cachedValid} should sit near {@code VerifyBenchmark.cachedValid} of the same
 * run, well under {@code hmac} plus the rest.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class PepperBenchmark {
    static final KeyHasher PEPPER = KeyHasher.hmac("a pepper of 32 bytes, not secret".getBytes(StandardCharsets.US_ASCII));

    Keys keys;
    Requirement requirement;
    String key;
    RequestContext ctx;
    byte[] bytes;
    MessageDigest hmac;

    @Setup(Level.Trial)
    public void setUp() {
        keys = Keys.builder().hasher(PEPPER).verifier(v -> v.syncInterval(Duration.ZERO)).build();
        requirement = Requirement.of(PermissionQuery.parse("documents:read"));
        key = VerifyBenchmark.issue(keys);
        ctx = RequestContext.of("GET", "/documents/1");
        if (!keys.verifier().verify(key, ctx, requirement).isValid()) throw new IllegalStateException("setup key not valid");
        bytes = key.getBytes(StandardCharsets.US_ASCII);
        hmac = PEPPER.newMessageDigest();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        keys.close();
    }

    @Benchmark
    public Verification cachedValid() {
        return keys.verifier().verify(key, ctx, requirement);
    }

    @Benchmark
    public byte[] hmac() {
        return hmac.digest(bytes);
    }
}
