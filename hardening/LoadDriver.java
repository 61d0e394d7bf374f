import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A bounded mixed load on the example service over loopback (docs/hardening.md, soak and faults). JDK only; run as
 * {@code java hardening/LoadDriver.java BASE ADMIN_KEY SECONDS [RATE] [setup|load|check STATE_FILE]}.
 *
 * <p>Keys of five kinds take requests on {@code GET /api/hello}: valid (tier pro: 200), limited (5 per second: 200 or
 * 429), revoked before the load (401 REVOKED), unknown well-formed (401 NOT_FOUND) and malformed (401 MALFORMED);
 * churn keys are revoked during the load (200 before the revoke answered, 401 REVOKED after), and admin calls
 * create and patch keys. Anything else is an error, except 503 with Retry-After when {@code ALLOW_503=1} (faults).
 * At the end the usage the store counted per key and outcome must equal what the driver saw admitted or denied.
 */
public class LoadDriver {
    static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\""), ID = Pattern.compile("\"keyId\"\\s*:\\s*\"([^\"]+)\"");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static String base, admin;
    static final boolean ALLOW_503 = "1".equals(System.getenv("ALLOW_503"));
    /** The service is killed under the load (faults): connection errors are expected, usage is not compared. */
    static final boolean ALLOW_DOWN = "1".equals(System.getenv("ALLOW_DOWN"));

    record Key(String kind, String id, String key) {}

    /** What the driver saw, per key id and answer. */
    static final Map<String, Map<String, LongAdder>> seen = new ConcurrentHashMap<>();
    /** When the revoke was sent (a request may see REVOKED from then on) and when it was answered (no 200 after). */
    static final Map<String, Long> revokeSent = new ConcurrentHashMap<>(), revokedAt = new ConcurrentHashMap<>();
    static final LongAdder errors = new LongAdder(), requests = new LongAdder(), adminCalls = new LongAdder(), unavailable = new LongAdder();
    static final List<String> errorSamples = new ArrayList<>();

    public static void main(String[] a) throws Exception {
        base = a[0];
        admin = a[1];
        long seconds = Long.parseLong(a[2]);
        int rate = a.length > 3 ? Integer.parseInt(a[3]) : 400;
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) keys.add(create("valid", "{\"ownerId\":\"soak\",\"prefix\":\"soak_live\",\"roles\":[\"reader\"],\"tier\":\"pro\"}"));
        for (int i = 0; i < 4; i++) keys.add(create("limited", "{\"ownerId\":\"soak\",\"prefix\":\"soak_live\",\"roles\":[\"reader\"],"
                + "\"ratelimits\":[{\"name\":\"burst\",\"limit\":5,\"duration\":\"PT1S\"}]}"));
        for (int i = 0; i < 4; i++) {
            Key k = create("revoked", "{\"ownerId\":\"soak\",\"prefix\":\"soak_live\",\"roles\":[\"reader\"],\"tier\":\"pro\"}");
            revokeSent.put(k.id, System.nanoTime());
            call("POST", "/admin/v1/keys/" + k.id + "/revoke", "{\"reason\":\"soak\"}", 200);
            revokedAt.put(k.id, System.nanoTime());
            keys.add(k);
        }
        List<Key> churn = new ArrayList<>();
        for (int i = 0; i < 8; i++) churn.add(create("churn", "{\"ownerId\":\"soak\",\"prefix\":\"soak_live\",\"roles\":[\"reader\"],\"tier\":\"pro\"}"));
        keys.addAll(churn);
        SecureRandom rnd = new SecureRandom();
        for (int i = 0; i < 200; i++) keys.add(new Key("unknown", null, wellFormed(rnd)));
        for (int i = 0; i < 20; i++) keys.add(new Key("malformed", null, "soak_live_" + Long.toString(rnd.nextLong() & Long.MAX_VALUE, 36)));

        Map<String, List<Key>> byKind = new TreeMap<>();
        for (Key k : keys) byKind.computeIfAbsent(k.kind, x -> new ArrayList<>()).add(k);
        Instant start = Instant.now();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int threads = 4;
        long intervalNanos = 1_000_000_000L * threads / rate; // each thread paces itself: bounded load
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                SecureRandom r = new SecureRandom();
                long next = System.nanoTime();
                while (System.nanoTime() < end) {
                    Key k = pick(byKind, r);
                    request(k);
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            });
            th.start();
            ts.add(th);
        }
        // admin changes while the load runs: one revoke of a churn key, one create, one patch, every few seconds
        int churned = 0;
        long adminEvery = Math.max(1, seconds / (churn.size() + 1)) * 1_000_000_000L;
        long nextAdmin = System.nanoTime() + adminEvery;
        while (System.nanoTime() < end) {
            if (System.nanoTime() >= nextAdmin) {
                nextAdmin += adminEvery;
                try {
                    if (churned < churn.size()) {
                        Key k = churn.get(churned++);
                        revokeSent.put(k.id, System.nanoTime());
                        call("POST", "/admin/v1/keys/" + k.id + "/revoke", "{\"reason\":\"churn\"}", 200);
                        revokedAt.put(k.id, System.nanoTime());
                    }
                    Key fresh = create("extra", "{\"ownerId\":\"soak\",\"prefix\":\"soak_live\",\"tier\":\"free\"}");
                    call("PATCH", "/admin/v1/keys/" + fresh.id, "{\"name\":\"patched\"}", 200);
                } catch (Exception e) {
                    if (!ALLOW_503 && !ALLOW_DOWN) error("admin call failed: " + e.getMessage());
                }
            }
            Thread.sleep(50);
        }
        for (Thread th : ts) th.join();
        Thread.sleep(2_500); // the usage log writes every second
        long mismatches = ALLOW_DOWN ? 0 : checkUsage(keys, start);
        System.out.printf("requests %d, admin calls %d, 503 %d, errors %d, usage mismatches %d%n", requests.sum(), adminCalls.sum(),
                unavailable.sum(), errors.sum(), mismatches);
        Map<String, Long> totals = new TreeMap<>();
        java.util.Set<String> counted = new java.util.HashSet<>();
        for (Key k : keys) {
            String id = k.id != null ? k.id : k.kind;
            if (!counted.add(id)) continue;
            Map<String, LongAdder> m = seen.get(id);
            if (m != null) m.forEach((answer, n) -> totals.merge(k.kind + " " + answer, n.sum(), Long::sum));
        }
        totals.forEach((k, v) -> System.out.printf("  %-28s %d%n", k, v));
        synchronized (errorSamples) {
            errorSamples.stream().limit(10).forEach(e -> System.out.println("  error: " + e));
        }
        System.exit(errors.sum() == 0 && mismatches == 0 ? 0 : 1);
    }

    /** The mix: a fifth of the load on the few limited keys, so that their buckets run dry. */
    static Key pick(Map<String, List<Key>> byKind, SecureRandom r) {
        int p = r.nextInt(100);
        String kind = p < 35 ? "valid" : p < 55 ? "limited" : p < 65 ? "revoked" : p < 75 ? "churn" : p < 90 ? "unknown" : "malformed";
        List<Key> ks = byKind.get(kind);
        return ks.get(r.nextInt(ks.size()));
    }

    static void request(Key k) {
        long started = System.nanoTime();
        HttpResponse<String> r;
        try {
            r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/hello")).header("X-API-Key", k.key).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            if (!ALLOW_DOWN) error(k.kind + ": " + e);
            return;
        }
        requests.increment();
        int s = r.statusCode();
        String code = s == 200 ? "VALID" : code(r.body());
        String id = k.id != null ? k.id : k.kind;
        if (s == 503) { // not counted by the store: verification stops before usage is recorded
            unavailable.increment();
            if (!ALLOW_503 || r.headers().firstValue("Retry-After").isEmpty() || !code.equals("STORE_UNAVAILABLE")) error(k.kind + ": 503 " + r.body());
            return;
        }
        seen.computeIfAbsent(id, x -> new ConcurrentHashMap<>()).computeIfAbsent(code, x -> new LongAdder()).increment();
        if (r.body().contains(k.key)) error(k.kind + ": the key is in the answer");
        Long revoked = revokedAt.get(id);
        boolean ok = switch (k.kind) {
            case "valid" -> s == 200;
            case "limited" -> s == 200 || (s == 429 && code.equals("RATE_LIMITED") && r.headers().firstValue("Retry-After").isPresent());
            case "revoked" -> s == 401 && code.equals("REVOKED");
            case "churn" -> (s == 200 && (revoked == null || revoked > started)) || (s == 401 && code.equals("REVOKED") && revokeSent.containsKey(id));
            case "unknown" -> s == 401 && code.equals("NOT_FOUND");
            case "malformed" -> s == 401 && code.equals("MALFORMED");
            default -> false;
        };
        if (!ok) error(k.kind + ": " + s + " " + r.body());
    }

    /** Compares the store's usage totals per key and outcome with what the driver saw; returns the mismatches. */
    static long checkUsage(List<Key> keys, Instant start) throws Exception {
        long bad = 0;
        for (Key k : keys) {
            if (k.id == null) continue;
            String body = call("GET", "/admin/v1/keys/" + k.id + "/usage?from=" + start.minusSeconds(120) + "&to=" + Instant.now().plusSeconds(120), null, 200);
            Map<String, Long> store = new TreeMap<>();
            Matcher m = Pattern.compile("\"totals\"\\s*:\\s*\\{([^}]*)}").matcher(body);
            if (m.find()) {
                for (String kv : m.group(1).split(",")) {
                    if (kv.isBlank()) continue;
                    String[] p = kv.split(":");
                    store.put(p[0].replace("\"", "").strip(), Long.parseLong(p[1].strip()));
                }
            }
            Map<String, Long> driver = new TreeMap<>();
            Map<String, LongAdder> s = seen.get(k.id);
            if (s != null) s.forEach((code, n) -> driver.put(code, n.sum()));
            if (!store.equals(driver)) {
                bad++;
                error("usage of " + k.kind + " " + k.id + ": store " + store + ", driver " + driver);
            }
        }
        return bad;
    }

    static Key create(String kind, String body) throws Exception {
        String r = call("POST", "/admin/v1/keys", body, 201);
        Matcher key = KEY.matcher(r), id = ID.matcher(r);
        if (!key.find() || !id.find()) throw new IllegalStateException("no key in " + r);
        return new Key(kind, id.group(1), key.group(1));
    }

    static String call(String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + admin).timeout(Duration.ofSeconds(10));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        adminCalls.increment();
        if (r.statusCode() != expected) throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    static String code(String body) {
        Matcher m = Pattern.compile("\"code\"\\s*:\\s*\"([A-Z_]+)\"").matcher(body);
        return m.find() ? m.group(1) : "?";
    }

    static void error(String what) {
        errors.increment();
        synchronized (errorSamples) {
            if (errorSamples.size() < 50) errorSamples.add(what);
        }
    }

    static String wellFormed(SecureRandom r) {
        String b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder sb = new StringBuilder("soak_live_");
        for (int i = 0; i < 32; i++) sb.append(b62.charAt(r.nextInt(62)));
        CRC32 crc = new CRC32();
        crc.update(sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long c = crc.getValue();
        char[] sum = new char[6];
        for (int i = 5; i >= 0; i--, c /= 62) sum[i] = b62.charAt((int) (c % 62));
        return sb.append(sum).toString();
    }
}
