package dev.keys.examples;

import dev.keys.api.KeyQuery;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The dashboard in a real browser: the example started on a free port (H2 in a temporary directory), then
 * {@code src/test/browser/dashboard.mjs} run by Node, driving Debian's headless Chromium through playwright-core:
 * sign in, create a key and see it once, call {@code /api/hello} with it, see the chart count the calls, rotate,
 * revoke, sign out; a {@code keys:manage} key sees only its tenant, a {@code keys:self} key only its own keys; the
 * CSP holds and no key lands in storage, the page or a URL. Screenshots of each screen go to
 * {@code target/dashboard-screenshots/}. Where Chromium, Node or the script's {@code npm ci} is missing, the test
 * is skipped locally and fails on CI ({@code CI=true}), since {@code .ci/run} installs them.
 */
class DashboardBrowserTest {
    private static final Pattern CREATED_ADMIN_KEY = Pattern.compile("shown this once, keep it:\\R\\s+(\\S+)");
    private static final Path SCRIPT_DIR = Path.of("src/test/browser");
    @TempDir Path dir;

    @Test
    void theDashboardInHeadlessChromium() throws Exception {
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(chromium))) missing.add(chromium + " (apt-get install chromium)");
        String node = onPath("node");
        if (node == null) missing.add("node (apt-get install nodejs npm)");
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"))) missing.add("playwright-core (npm ci in examples/src/test/browser)");
        if (!missing.isEmpty()) {
            String why = "the browser test needs " + String.join(", ", missing);
            if ("true".equals(System.getenv("CI"))) fail(why + ": .ci/run installs them");
            Assumptions.abort(why);
        }

        Map<String, String> env = new HashMap<>(Map.of("PORT", "0", "KEYS_DATA_DIR", dir.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ExampleService service = ExampleService.start(Settings.fromEnvironment(env), new PrintStream(out, true, StandardCharsets.UTF_8))) {
            Matcher m = CREATED_ADMIN_KEY.matcher(out.toString(StandardCharsets.UTF_8));
            assertTrue(m.find(), "no admin key in the start-up message");
            KeyManager keys = service.keys().manager();
            IssuedKey manage = keys.create(NewKey.builder("acme_live").name("acme manager").tenant("acme").ownerId("ops")
                    .permissions(Set.of(AdminPolicy.MANAGE)).build(), "test");
            IssuedKey self = keys.create(NewKey.builder("acme_live").name("alice's console").tenant("acme").ownerId("alice")
                    .permissions(Set.of(AdminPolicy.SELF, "hello:read")).build(), "test");
            IssuedKey alice = keys.create(NewKey.builder("acme_live").name("alice's app").tenant("acme").ownerId("alice")
                    .permissions(Set.of("hello:read")).build(), "test");
            IssuedKey bob = keys.create(NewKey.builder("acme_live").name("bob's app").tenant("acme").ownerId("bob")
                    .permissions(Set.of("hello:read")).build(), "test");
            IssuedKey other = keys.create(NewKey.builder("sk_live").name("another tenant's").tenant("default").ownerId("alice")
                    .permissions(Set.of("hello:read")).build(), "test");
            // More keys than a page of 10, the one searched for beyond the first page: the search must reach it.
            // Key ids sort by creation time, so the needle comes after the fillers; more fillers if they did not.
            for (int i = 0; i < 12; i++) filler(keys, i);
            IssuedKey needle = keys.create(NewKey.builder("sk_live").name("Payroll exporter").ownerId("finance")
                    .permissions(Set.of("hello:read")).build(), "test");
            for (int i = 12; onFirstPage(keys, needle); i++) {
                assertTrue(i < 500, "the searched key stays on the first page");
                filler(keys, i);
            }

            Path shots = Path.of("target/dashboard-screenshots").toAbsolutePath();
            Files.createDirectories(shots);
            Path log = shots.resolve("browser.log");
            ProcessBuilder pb = new ProcessBuilder(node, "dashboard.mjs").directory(SCRIPT_DIR.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> penv = pb.environment();
            penv.put("KEYS_URL", "http://127.0.0.1:" + service.port());
            penv.put("CHROMIUM", chromium);
            penv.put("SCREENSHOTS", shots.toString());
            penv.put("ADMIN_KEY", m.group(1));
            penv.put("MANAGE_KEY", manage.plaintext());
            penv.put("SELF_KEY", self.plaintext());
            penv.put("ALICE_KEY_ID", alice.key().id());
            penv.put("BOB_KEY_ID", bob.key().id());
            penv.put("DEFAULT_KEY_ID", other.key().id());
            penv.put("NEEDLE_KEY_ID", needle.key().id());
            Process p = pb.start();
            boolean ended = p.waitFor(5, TimeUnit.MINUTES);
            if (!ended) p.destroyForcibly();
            String output = Files.readString(log);
            assertTrue(ended, "the browser script did not end within 5 minutes:\n" + output);
            assertEquals(0, p.exitValue(), "the browser script failed:\n" + output);
            assertTrue(output.contains("dashboard browser checks: all passed"), output);
            for (String shot : List.of("1-sign-in", "2-keys", "3-created-once", "4-key-detail", "5-rotated-once", "6-revoked",
                    "7-signed-out", "8-manager-200-percent", "9-self-service")) {
                assertTrue(Files.size(shots.resolve(shot + ".png")) > 1000, shot);
            }
        }
    }

    private static void filler(KeyManager keys, int i) {
        keys.create(NewKey.builder("sk_live").name("bulk filler " + i).ownerId("bulk").permissions(Set.of("hello:read")).build(), "test");
    }

    /** Whether {@code k} is among the first 10 keys of the whole listing (the dashboard's smallest page). */
    private static boolean onFirstPage(KeyManager keys, IssuedKey k) {
        return keys.list(KeyQuery.all(10)).items().stream().anyMatch(x -> x.id().equals(k.key().id()));
    }

    private static String onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }
}
