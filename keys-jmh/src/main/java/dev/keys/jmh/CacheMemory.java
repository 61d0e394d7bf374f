package dev.keys.jmh;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.RateLimit;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.verify.Verifier;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;

/**
 * The verifier's cache at 10^6 keys (docs/contract.md §6), not a JMH benchmark because what it measures is retained
 * heap: {@code java -Xmx3g -cp keys-jmh/target/benchmarks.jar dev.keys.jmh.CacheMemory [keys] [repeats] [sha256|hmac]}
 * ({@code hmac}: keys hashed with a pepper, whose verifier also keeps each key's plain SHA-256 as an alias).
 *
 * <p>The keys (2 permissions, 1 bandwidth, as the contract's figure) go into an {@link InMemoryKeyStore} first. Each
 * repeat (after one for the JIT, not counted) builds a fresh verifier, measures the used heap after a full collection, verifies every key once
 * (each one a miss: read from the store and compiled into its entry), and measures again: the difference is what the
 * cached entries retain, the store's own objects being there before and after. The same pass, timed, is the cost of a
 * first verification; a second pass over the same keys (all hits) and a pass of store reads alone, in the same
 * repeat, say how much of it is compiling: first - hit - store read.
 */
public final class CacheMemory {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private CacheMemory() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean peppered = args.length > 2 && args[2].equals("hmac");
        if (args.length > 2 && !peppered && !args[2].equals("sha256")) throw new IllegalArgumentException("hashing must be sha256 or hmac");
        KeyHasher hasher = peppered ? PepperBenchmark.PEPPER : KeyHasher.sha256();
        InMemoryKeyStore store = new InMemoryKeyStore();
        String[] plaintexts = new String[n];
        Digest[] digests = new Digest[n];
        fill(store, plaintexts, digests, 0, hasher);
        System.out.printf("CacheMemory: %,d keys (2 permissions, 1 bandwidth), %s, %d repeats, max heap %,d MiB, %s%n", n, hasher.algorithm(), repeats,
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.version"));
        double[] perKey = new double[repeats], first = new double[repeats], hit = new double[repeats], read = new double[repeats];
        for (int r = -1; r < repeats; r++) { // r = -1: a warm-up repeat for the JIT, not counted
            Verifier verifier = Verifier.builder(store).hasher(hasher).syncInterval(Duration.ZERO).cacheSize(n).build();
            long before = usedAfterGc();
            long t0 = System.nanoTime();
            for (String p : plaintexts) if (!verifier.verify(p).isValid()) throw new IllegalStateException("a key did not verify");
            long t1 = System.nanoTime();
            for (String p : plaintexts) if (!verifier.verify(p).isValid()) throw new IllegalStateException("a key did not verify");
            long t2 = System.nanoTime();
            for (Digest d : digests) if (store.findByDigest(d).isEmpty()) throw new IllegalStateException("a key is not stored");
            long t3 = System.nanoTime();
            long after = usedAfterGc();
            if (verifier.cachedKeys() != n) throw new IllegalStateException("cached " + verifier.cachedKeys() + " of " + n);
            verifier.close();
            if (r < 0) continue;
            perKey[r] = (after - before) / (double) n;
            first[r] = (t1 - t0) / (double) n;
            hit[r] = (t2 - t1) / (double) n;
            read[r] = (t3 - t2) / (double) n;
            System.out.printf("repeat %d: retained %,.0f MiB, %.0f B a key; first verification %,.0f ns a key, cached %,.0f ns, store read %,.0f ns,"
                    + " so compiling into the cache %,.0f ns%n", r + 1, (after - before) / 1048576.0, perKey[r], first[r], hit[r], read[r],
                    first[r] - hit[r] - read[r]);
        }
        System.out.printf("median: %.0f B a key (%,.0f MiB for %,d keys, range %.0f to %.0f B); first verification %,.0f ns a key,"
                        + " of which compiling %,.0f ns (range %,.0f to %,.0f)%n",
                median(perKey), median(perKey) * n / 1048576.0, n, min(perKey), max(perKey), median(first),
                median(diff(first, hit, read)), min(diff(first, hit, read)), max(diff(first, hit, read)));
    }

    /** The keys of the figure: distinct plaintexts, each stored under its SHA-256 digest with 2 permissions and 1 bandwidth. */
    static void fill(InMemoryKeyStore store, String[] plaintexts, Digest[] digests) {
        fill(store, plaintexts, digests, 0);
    }

    /** As {@link #fill(InMemoryKeyStore, String[], Digest[])}, with ids from {@code key_<firstId>} on. */
    static void fill(InMemoryKeyStore store, String[] plaintexts, Digest[] digests, long firstId) {
        fill(store, plaintexts, digests, firstId, KeyHasher.sha256());
    }

    private static void fill(InMemoryKeyStore store, String[] plaintexts, Digest[] digests, long firstId, KeyHasher hasher) {
        KeyFormat format = new KeyFormat(new java.security.SecureRandom());
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Random random = new Random(42);
        for (int i = 0; i < plaintexts.length; i++) {
            String p = format.generate("sk_live");
            plaintexts[i] = p;
            digests[i] = hasher.digest(p);
            store.create(ApiKey.builder().id("key_" + (firstId + i)).ownerId("owner_" + random.nextInt(10_000)).name("key " + (firstId + i))
                    .prefix("sk_live").start(KeyFormat.start(p)).digest(digests[i]).createdAt(t).updatedAt(t)
                    .permissions(Set.of("documents:read", "documents:write"))
                    .ratelimits(java.util.List.of(new RateLimit("api", 100, Duration.ofSeconds(1)))).build());
        }
    }

    /** Used heap once collections stop freeing anything (at most 10 full collections). */
    static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = MEMORY.getHeapMemoryUsage().getUsed();
            if (now >= used - (1 << 20)) return Math.min(now, used);
            used = now;
        }
        return used;
    }

    private static double[] diff(double[] a, double[] b, double[] c) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i] - c[i];
        return d;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
