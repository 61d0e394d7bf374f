package dev.keys.jmh;

import dev.keys.api.RequestContext;
import dev.keys.core.Keys;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.format.KeyFormat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * The hot-path figures as machine instructions, for {@code keys-jmh/callgrind.sh}: on a machine shared with other
 * builds, JMH times swing by 2x between runs, while the instructions one call executes do not. Runs one figure
 * {@code warm-up} times (so that C2 has compiled it), then {@code iterations} more; the script runs it under
 * {@code valgrind --tool=callgrind} with two iteration counts and divides the difference of the totals by the
 * difference of the counts, which cancels the JVM's start, the set-up and the JIT.
 *
 * <p>The figures are those of {@link VerifyBenchmark} and {@link BaselineBenchmark}, with the same key and set-up:
 * {@code sha256}, {@code cachedValid}, {@code malformed}.
 */
public final class Instructions {
    private Instructions() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) throw new IllegalArgumentException("usage: Instructions sha256|cachedValid|malformed <warm-up> <iterations>");
        long warmup = Long.parseLong(args[1]), iterations = Long.parseLong(args[2]);
        Runnable op = op(args[0]);
        for (long i = 0; i < warmup; i++) op.run();
        for (long i = 0; i < iterations; i++) op.run();
        System.out.println(args[0] + " " + warmup + "+" + iterations + " done " + sink);
        System.exit(0); // the verifier's threads stay out of the count
    }

    /** Defeats dead-code elimination: every op folds its result in. */
    static volatile int sink;

    private static Runnable op(String figure) throws Exception {
        switch (figure) {
            case "sha256": {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] key = BaselineBenchmark.KEY.getBytes(StandardCharsets.US_ASCII);
                return () -> sink += md.digest(key)[0];
            }
            case "cachedValid": {
                Keys keys = Keys.builder().verifier(v -> v.syncInterval(Duration.ZERO)).build();
                Requirement req = Requirement.of(PermissionQuery.parse("documents:read"));
                String key = VerifyBenchmark.issue(keys);
                RequestContext ctx = RequestContext.of("GET", "/documents/1");
                if (!keys.verifier().verify(key, ctx, req).isValid()) throw new IllegalStateException("setup key not valid");
                return () -> sink += keys.verifier().verify(key, ctx, req).outcome().ordinal();
            }
            case "malformed": {
                Keys keys = Keys.builder().verifier(v -> v.syncInterval(Duration.ZERO)).build();
                String good = new KeyFormat().generate("sk_live");
                char last = good.charAt(good.length() - 1);
                String malformed = good.substring(0, good.length() - 1) + (last == 'A' ? 'B' : 'A');
                return () -> sink += keys.verifier().verify(malformed).outcome().ordinal();
            }
            default:
                throw new IllegalArgumentException("unknown figure " + figure);
        }
    }
}
