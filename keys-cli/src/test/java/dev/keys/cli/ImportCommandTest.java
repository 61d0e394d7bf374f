package dev.keys.cli;

import dev.keys.core.format.KeyFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code keys import} end to end over HTTP, against the test double of {@code POST /keys/import}. */
class ImportCommandTest {
    @TempDir
    Path dir;

    private Path csv(int rows, List<String> extra) throws IOException {
        KeyFormat format = new KeyFormat();
        List<String> lines = new ArrayList<>();
        lines.add("externalId,key,name,ownerId,roles,permissions");
        for (int i = 0; i < rows; i++) {
            lines.add("ext-" + i + "," + format.generate("old_live") + ",\"key " + i + ", imported\",owner" + (i % 7) + ",reader writer,docs:read");
        }
        lines.addAll(extra);
        Path f = dir.resolve("keys.csv");
        Files.write(f, lines, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void tenThousandRowsInBatchesOfAThousand() throws IOException {
        Path f = csv(10_000, List.of());
        try (FakeAdminApi api = new FakeAdminApi()) {
            long t0 = System.nanoTime();
            Cli r = Cli.run(Cli.env(api), false, "import", f.toString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, r.code(), r.err());
            assertEquals(10, api.importCalls.get());
            assertEquals(10_000, api.importedItems.get());
            assertTrue(r.out().startsWith("imported 10000, skipped 0"), r.out());
            // Not a terminal: one plain line per batch, no carriage returns.
            assertEquals(10, r.err().lines().filter(l -> l.startsWith("sent ")).count(), r.err());
            assertFalse(r.err().contains("\r"));
            Files.writeString(Path.of("target", "import-timing.txt"), "10000 rows imported in " + ms + " ms\n");
            // A rerun sends nothing: every externalId is in the state file.
            Cli again = Cli.run(Cli.env(api), false, "import", "--json", f.toString());
            assertEquals(0, again.code(), again.err());
            assertEquals(10, api.importCalls.get());
            assertTrue(again.out().contains("\"alreadyDone\" : 10000"), again.out());
        }
    }

    @Test
    void aStoppedImportResumesWhereItStopped() throws IOException {
        Path f = csv(2_500, List.of());
        try (FakeAdminApi api = new FakeAdminApi()) {
            api.failCall = n -> n == 2;
            Cli first = Cli.run(Cli.env(api), false, "import", f.toString());
            assertEquals(1, first.code());
            assertEquals(1, first.err().lines().filter(l -> l.startsWith("keys: ")).count(), first.err());
            assertTrue(first.err().contains("rerun to resume"), first.err());
            assertEquals(1000, api.importedItems.get());
            api.failCall = n -> false;
            Cli second = Cli.run(Cli.env(api), false, "import", f.toString());
            assertEquals(0, second.code(), second.err());
            assertEquals(2_500, api.importedItems.get());
            assertEquals(2_500, api.byExternalId.size());
            assertTrue(second.out().contains("1000 done in an earlier run"), second.out());
        }
    }

    @Test
    void withoutTheStateFileTheServiceSkipsWhatItHolds() throws IOException {
        Path f = csv(30, List.of());
        try (FakeAdminApi api = new FakeAdminApi()) {
            assertEquals(0, Cli.run(Cli.env(api), false, "import", f.toString()).code());
            Files.delete(dir.resolve("keys.csv.imported"));
            Cli again = Cli.run(Cli.env(api), false, "import", f.toString());
            assertEquals(0, again.code(), again.err());
            assertTrue(again.out().startsWith("imported 0, skipped 30"), again.out());
        }
    }

    @Test
    void failedRowsGoToTheReportWithTheirLineAndNeverTheirKey() throws IOException {
        String secretLooking = "plain-secret-value-0123456789abcdef";
        Path f = csv(5, List.of("ext-bad,,no key,o,,", "ext-x," + secretLooking + ",dup,o,,", "ext-1," + secretLooking + ",again,o,,",
                "ext-short,short,too short,o,,", "too,few"));
        try (FakeAdminApi api = new FakeAdminApi()) {
            Cli r = Cli.run(Cli.env(api), true, "import", f.toString());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("\r["), "a terminal gets a bar: " + r.err());
            Path report = dir.resolve("keys.csv.failed.csv");
            List<String> lines = Files.readAllLines(report);
            assertEquals("line,externalId,field,detail", lines.get(0));
            assertEquals(List.of("7,ext-bad,key,give either key or sha256", "9,ext-1,externalId,repeats line 3",
                    "10,ext-short,key,must be 16 to 256 printable ASCII characters", "11,too,,2 fields where the header has 6"), lines.subList(1, lines.size()));
            assertFalse(Files.readString(report).contains(secretLooking));
            assertEquals(6, api.importedItems.get());
        }
    }

    @Test
    void aBadHeaderIsBadUsage() throws IOException {
        Path f = dir.resolve("k.csv");
        Files.writeString(f, "externalId,secret\nx,y\n");
        Cli r = Cli.run(Map.of("KEYS_ADMIN_KEY", "x"), false, "import", f.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("keys: " + f + ": unknown column 'secret'"), r.err());
    }
}
