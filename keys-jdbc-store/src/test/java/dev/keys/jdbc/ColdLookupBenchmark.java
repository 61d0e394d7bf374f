package dev.keys.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.Digest;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Uncached {@code findByDigest} latency with 1,000,000 keys in PostgreSQL (docs/contract.md §6: p99 under 2 ms). Not a
 * test: run by hand, see docs/jdbc-store.md. Loads the keys with COPY into a schema of its own, dropped afterwards,
 * then times 10,000 lookups of random existing keys and 10,000 of unknown digests through {@link JdbcKeyStore} and
 * a HikariCP pool, one at a time.
 */
public final class ColdLookupBenchmark {
    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        String base = System.getenv().getOrDefault(TestDb.URL_VARIABLE, TestDb.DEFAULT_URL);
        String schema = "keys_bench_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(TestDb.withParams(base, "currentSchema=" + schema));
        cfg.setMaximumPoolSize(2);
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            JdbcSchema.migrate(ds);
            long t0 = System.nanoTime();
            load(ds, keys);
            System.out.printf("loaded %,d keys with COPY in %.1f s%n", keys, (System.nanoTime() - t0) / 1e9);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("ANALYZE keys_api_key");
            }
            JdbcKeyStore store = JdbcStores.builder(ds).build().keyStore();
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < 2_000; i++) store.findByDigest(digest(random.nextInt(keys)));
            long[] hit = new long[lookups], miss = new long[lookups];
            for (int i = 0; i < lookups; i++) {
                Digest d = digest(random.nextInt(keys));
                long s = System.nanoTime();
                if (store.findByDigest(d).isEmpty()) throw new IllegalStateException("a loaded key was not found");
                hit[i] = System.nanoTime() - s;
            }
            for (int i = 0; i < lookups; i++) {
                Digest d = digest(keys + random.nextInt(keys));
                long s = System.nanoTime();
                if (store.findByDigest(d).isPresent()) throw new IllegalStateException("an unknown key was found");
                miss[i] = System.nanoTime() - s;
            }
            report("existing key", hit);
            report("unknown digest", miss);
        } finally {
            try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    static Digest digest(int i) throws Exception {
        return Digest.of(MessageDigest.getInstance("SHA-256").digest(("bench-key-" + i).getBytes()));
    }

    static void load(HikariDataSource ds, int keys) throws Exception {
        String copy = "COPY keys_api_key (id, tenant, owner_id, name, prefix, key_start, digest, environment, status, roles, permissions, "
                + "meta, ratelimits, ip_allowlist, created_at, updated_at, version) FROM STDIN";
        HexFormat hex = HexFormat.of();
        int chunk = 50_000;
        try (Connection c = ds.getConnection()) {
            var api = c.unwrap(PGConnection.class).getCopyAPI();
            for (int from = 0; from < keys; from += chunk) {
                StringBuilder sb = new StringBuilder(chunk * 260);
                for (int i = from; i < Math.min(keys, from + chunk); i++) {
                    sb.append("key_bench").append(i).append("\ttenant-").append(i % 100).append("\towner-").append(i % 10_000)
                            .append("\tbenchmark key\tsk_live\tAbCd\t\\\\x").append(hex.formatHex(digest(i).toBytes()))
                            .append("\tLIVE\tACTIVE\t[\"reader\"]\t[\"documents:read\",\"billing:*\"]\t{\"plan\":\"pro\"}")
                            .append("\t[{\"name\":\"burst\",\"limit\":10,\"duration\":\"PT1S\",\"burst\":20}]\t[]")
                            .append("\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\t1\n");
                }
                api.copyIn(copy, new StringReader(sb.toString()));
            }
        }
    }

    static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("findByDigest, %s, %,d lookups: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", what, s.length,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.90)] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[(int) (s.length * 0.999)] / 1e6, s[s.length - 1] / 1e6);
    }
}
