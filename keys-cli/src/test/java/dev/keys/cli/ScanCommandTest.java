package dev.keys.cli;

import dev.keys.core.format.KeyFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** {@code keys scan}: exactly the planted keys, among strings of the same shape whose checksum is wrong. */
class ScanCommandTest {
    @TempDir
    Path dir;
    private final KeyFormat format = new KeyFormat(new SecureRandom());

    /** A string of the shape of a key whose checksum is wrong. */
    private String lookalike(Random r) {
        String key = format.generate("acme_live");
        char last = key.charAt(key.length() - 1);
        char other = KeyFormat.BASE62.charAt((KeyFormat.BASE62.indexOf(last) + 1 + r.nextInt(61)) % 62);
        return key.substring(0, key.length() - 1) + other;
    }

    @Test
    void reportsExactlyThePlantedKeysAmongTenThousandLookalikes() throws IOException {
        Random r = new Random(7);
        Files.createDirectories(dir.resolve("src/deep"));
        Set<String> expected = new TreeSet<>();
        List<String> planted = new ArrayList<>();
        for (int f = 0; f < 10; f++) {
            Path file = dir.resolve(f % 2 == 0 ? "src/deep/f" + f + ".txt" : "f" + f + ".yml");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String fake = lookalike(r);
                assertFalse(KeyFormat.isWellFormed(fake));
                lines.add("token: " + fake);
                if (i % 250 == 17) {
                    String key = format.generate(f % 3 == 0 ? "sk_test" : "acme_live");
                    planted.add(key);
                    lines.add("API_KEY=\"" + key + "\" # planted");
                    expected.add(file + ":" + lines.size() + " " + KeyFormat.prefix(key) + " " + KeyFormat.start(key));
                }
            }
            Files.write(file, lines);
        }
        Files.write(dir.resolve("binary.bin"), new byte[] {0, 1, 2, 'x'});
        Cli res = Cli.run(Map.of(), false, "scan", "--json", dir.toString());
        assertEquals(1, res.code(), res.err());
        Set<String> found = new TreeSet<>();
        for (var n : AdminClient.JSON.readTree(res.out())) {
            assertEquals(Set.of("file", "line", "prefix", "start"), toSet(n.fieldNames()));
            found.add(n.path("file").asText() + ":" + n.path("line").asInt() + " " + n.path("prefix").asText() + " " + n.path("start").asText());
        }
        assertEquals(expected, found);
        assertEquals(40, found.size());
        Cli table = Cli.run(Map.of(), false, "scan", dir.toString());
        assertEquals(1, table.code());
        for (String key : planted) {
            assertFalse(table.out().contains(key) || table.err().contains(key), "a whole key was printed");
            assertTrue(table.out().contains(KeyFormat.start(key) + "..."));
        }
    }

    @Test
    void nothingFoundIsExitZero() throws IOException {
        Files.writeString(dir.resolve("a.txt"), "nothing here " + lookalike(new Random(1)) + "\n");
        Cli res = Cli.run(Map.of(), false, "scan", dir.toString());
        assertEquals(0, res.code(), res.err());
        assertEquals("", res.out());
    }

    @Test
    void findsAKeyInAnOldCommitWithGit() throws Exception {
        String key = format.generate("acme_live");
        git("init", "-q");
        Files.writeString(dir.resolve("config.yml"), "name: demo\nkey: " + key + "\n");
        git("add", ".");
        git("commit", "-q", "-m", "oops");
        Files.writeString(dir.resolve("config.yml"), "name: demo\nkey: ${KEYS_KEY}\n");
        git("commit", "-q", "-am", "remove the key");
        Cli plain = Cli.run(Map.of(), false, "scan", dir.toString());
        assertEquals(0, plain.code(), "the working tree is clean: " + plain.out());
        Cli res = Cli.run(Map.of(), false, "scan", "--git", "--json", dir.toString());
        assertEquals(1, res.code(), res.err());
        var finds = AdminClient.JSON.readTree(res.out());
        assertEquals(1, finds.size(), res.out());
        assertTrue(finds.get(0).path("file").asText().matches("[0-9a-f]{12}:config\\.yml"), res.out());
        assertEquals(2, finds.get(0).path("line").asInt());
        assertEquals(KeyFormat.start(key), finds.get(0).path("start").asText());
        assertFalse(res.out().contains(key) || res.err().contains(key));
    }

    @Test
    void revokeFindsTheKeyByPrefixAndStartAndGivesTheLeakAsReason() throws IOException {
        try (FakeAdminApi api = new FakeAdminApi()) {
            String leaked = api.createKey("acme_live");
            api.createKey("acme_live");
            Path file = dir.resolve("app.env");
            Files.writeString(file, "# config\nKEY=" + leaked + "\nAGAIN=" + leaked + "\n");
            Cli res = Cli.run(Cli.env(api), false, "scan", "--revoke", file.toString());
            assertEquals(1, res.code(), res.err());
            assertEquals(1, api.audit.size(), "each distinct key once");
            assertEquals("leaked: " + file + ":2", api.audit.get(0).path("reason").asText());
            String id = api.audit.get(0).path("keyId").asText();
            assertEquals("revoked", api.keys.get(id).path("status").asText());
            assertTrue(res.err().contains("revoked " + id), res.err());
            assertEquals(1, api.keys.values().stream().filter(k -> k.path("status").asText().equals("active")).count());
        }
    }

    @Test
    void missingPathIsBadUsage() {
        Cli res = Cli.run(Map.of(), false, "scan", dir.resolve("nope").toString());
        assertEquals(2, res.code());
        assertEquals(1, res.err().lines().count(), res.err());
    }

    private void git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@example.com",
                "-c", "commit.gpgsign=false"));
        cmd.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out + env);
    }

    private static Set<String> toSet(java.util.Iterator<String> it) {
        Set<String> s = new TreeSet<>();
        it.forEachRemaining(s::add);
        return s;
    }
}
