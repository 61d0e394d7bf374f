package dev.keys.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The admin commands over HTTP, their exit codes, and errors as one line. */
class KeyCommandsTest {
    @TempDir
    Path dir;

    @Test
    void createListShowRevokeAudit() throws IOException {
        try (FakeAdminApi api = new FakeAdminApi()) {
            Map<String, String> env = Cli.env(api);
            Cli created = Cli.run(env, false, "create", "--json", "--name", "reports", "--prefix", "acme_live", "--role", "reader");
            assertEquals(0, created.code(), created.err());
            String id = AdminClient.JSON.readTree(created.out()).path("keyId").asText();
            Cli list = Cli.run(env, false, "list");
            assertEquals(0, list.code(), list.err());
            assertTrue(list.out().startsWith("ID "), list.out());
            assertTrue(list.out().contains(id) && list.out().contains("acme_live"));
            Cli show = Cli.run(env, false, "show", id);
            assertTrue(show.out().matches("(?s).*status: +active.*"), show.out());
            Cli revoke = Cli.run(env, false, "revoke", id, "--reason", "done");
            assertEquals("revoked " + id + "\n", revoke.out());
            Cli audit = Cli.run(env, false, "audit", "--key", id);
            assertTrue(audit.out().contains("revoke") && audit.out().contains("done"), audit.out());
        }
    }

    @Test
    void metaOfAnyJsonValuesIsShownAsTheServerWroteIt() throws IOException {
        try (FakeAdminApi api = new FakeAdminApi()) {
            String meta = "{\"price\":2.50,\"seats\":12345678901234567890123,\"tags\":[\"a\",null,true],\"o\":{}}";
            api.keys.put("key_m", (com.fasterxml.jackson.databind.node.ObjectNode) AdminClient.JSON.readTree("{\"keyId\":\"key_m\",\"meta\":" + meta + "}"));
            Cli json = Cli.run(Cli.env(api), false, "show", "--json", "key_m");
            assertEquals(0, json.code(), json.err());
            assertEquals(meta, AdminClient.JSON.readTree(json.out()).get("meta").toString());
            assertTrue(json.out().contains("2.50") && json.out().contains("12345678901234567890123"), json.out());
            Cli table = Cli.run(Cli.env(api), false, "show", "key_m");
            assertTrue(table.out().contains("2.50"), table.out());
        }
    }

    @Test
    void theAdminKeyComesFromAFileOrTheEnvironmentNeverAFlag() throws IOException {
        try (FakeAdminApi api = new FakeAdminApi()) {
            Path keyFile = dir.resolve("admin.key");
            Files.writeString(keyFile, FakeAdminApi.ADMIN_KEY + "\n");
            Map<String, String> env = new HashMap<>(Map.of("KEYS_URL", api.url()));
            assertEquals(0, Cli.run(env, false, "list", "--key-file", keyFile.toString()).code());
            Cli none = Cli.run(env, false, "list");
            assertEquals(2, none.code());
            assertEquals("keys: no admin key: set KEYS_ADMIN_KEY or give --key-file FILE\n", none.err());
            assertEquals(2, Cli.run(env, false, "list", "--key", FakeAdminApi.ADMIN_KEY).code());
            env.put("KEYS_ADMIN_KEY", "wrong_live_00000000000000000000000000000000000000");
            Cli wrong = Cli.run(env, false, "show", "key_1");
            assertEquals(1, wrong.code());
            assertEquals(1, wrong.err().lines().count(), wrong.err());
            assertTrue(wrong.err().contains("401"), wrong.err());
        }
    }

    @Test
    void errorsAreOneLineAndUsageIsTwo() {
        Map<String, String> env = Map.of("KEYS_URL", "http://127.0.0.1:1", "KEYS_ADMIN_KEY", "x_live_k");
        Cli down = Cli.run(env, false, "list");
        assertEquals(1, down.code());
        assertEquals(1, down.err().lines().count(), down.err());
        assertTrue(down.err().startsWith("keys: cannot connect to http://127.0.0.1:1/admin/v1"), down.err());
        assertEquals(2, Cli.run(env, false, "rotate", "key_1", "--grace", "an hour").code());
        assertEquals(2, Cli.run(env, false, "nonsense").code());
        assertEquals(2, Cli.run(env, false, "create").code(), "--name is required");
    }

    @Test
    void helpOnEveryCommandAndACompletionScript() {
        for (String c : List.of("create", "list", "show", "revoke", "rotate", "usage", "audit", "import", "scan", "completion")) {
            Cli h = Cli.run(Map.of(), false, c, "--help");
            assertEquals(0, h.code(), c);
            assertTrue(h.out().startsWith("Usage: keys " + c), h.out());
        }
        Cli completion = Cli.run(Map.of(), false, "completion");
        assertEquals(0, completion.code());
        assertTrue(completion.out().contains("complete -F") && completion.out().contains("scan"));
    }

    @Test
    void aPathIsTheAdminBase() {
        assertEquals("http://h:8080/admin/v1", AdminClient.base("http://h:8080").toString());
        assertEquals("http://h:8080/admin/v1", AdminClient.base("http://h:8080/").toString());
        assertEquals("https://h/ops/admin", AdminClient.base("https://h/ops/admin/").toString());
    }
}
