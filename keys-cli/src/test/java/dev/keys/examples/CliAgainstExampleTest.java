package dev.keys.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keys.cli.CliRunner;
import dev.keys.core.format.KeyFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CLI against the real example service (its admin API, H2 store and filter), not a test double: a CSV import
 * whose keys then pass the filter, a rerun that imports nothing again, and a scan that revokes a planted key.
 */
class CliAgainstExampleTest {
    private static final Pattern CREATED_ADMIN_KEY = Pattern.compile("shown this once, keep it:\\R\\s+(\\S+)");
    @TempDir Path dir;

    @Test
    void importScanAndRevokeAgainstTheExample() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Map<String, String> settings = Map.of("PORT", "0", "KEYS_DATA_DIR", dir.resolve("data").toString());
        try (ExampleService service = ExampleService.start(Settings.fromEnvironment(settings), new PrintStream(console, true, StandardCharsets.UTF_8))) {
            Matcher m = CREATED_ADMIN_KEY.matcher(console.toString(StandardCharsets.UTF_8));
            assertTrue(m.find());
            String base = "http://localhost:" + service.port();
            Map<String, String> env = new HashMap<>(Map.of("KEYS_URL", base, "KEYS_ADMIN_KEY", m.group(1)));

            KeyFormat format = new KeyFormat();
            List<String> rows = new ArrayList<>(List.of("externalId,key,ownerId,roles"));
            List<String> keys = new ArrayList<>();
            int n = Integer.getInteger("keys.cli.e2e.rows", 1_200);            // -Dkeys.cli.e2e.rows=10000 for the README's figure
            for (int i = 0; i < n; i++) {
                String key = format.generate("old_live");
                keys.add(key);
                rows.add("ext-" + i + "," + key + ",owner" + i + ",reader");
            }
            Path csv = dir.resolve("legacy.csv");
            Files.write(csv, rows, StandardCharsets.UTF_8);

            long t0 = System.nanoTime();
            CliRunner.Result imported = CliRunner.run(env, "import", "--json", csv.toString());
            Files.writeString(Path.of("target", "import-example-timing.txt"), n + " rows imported into the example in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms\n");
            assertEquals(0, imported.code(), imported.err());
            JsonNode report = new ObjectMapper().readTree(imported.out());
            assertEquals(n, report.get("imported").asInt(), imported.out());
            assertEquals(200, get(base + "/api/hello", keys.get(0)).statusCode(), "an imported key passes the filter");
            assertEquals(200, get(base + "/api/hello", keys.get(n - 1)).statusCode());

            Files.delete(Path.of(csv + ".imported"));                       // forget the local state: the server's idempotence answers
            CliRunner.Result again = CliRunner.run(env, "import", "--json", csv.toString());
            assertEquals(0, again.code(), again.err());
            assertEquals(0, new ObjectMapper().readTree(again.out()).get("imported").asInt(), again.out());

            Path tree = Files.createDirectories(dir.resolve("tree"));
            Files.writeString(tree.resolve("app.env"), "# config\nAPI_KEY=" + keys.get(7) + "\n");
            CliRunner.Result scan = CliRunner.run(env, "scan", "--revoke", tree.toString());
            assertEquals(1, scan.code(), "a finding exits 1: " + scan.err());
            assertFalse(scan.out().contains(keys.get(7)), "never the whole key");
            assertEquals(401, get(base + "/api/hello", keys.get(7)).statusCode(), "the leaked key is revoked: " + scan.out() + scan.err());
            assertEquals(200, get(base + "/api/hello", keys.get(8)).statusCode(), "and no other");
        }
    }

    private static HttpResponse<String> get(String url, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", key).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
