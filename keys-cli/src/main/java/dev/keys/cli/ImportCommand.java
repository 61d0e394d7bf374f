package dev.keys.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code keys import FILE.csv} through {@code POST /keys/import} (docs/contract.md §5, §9). The header row names
 * the fields; rows go in batches of up to 1,000. What was done is kept, by {@code externalId}, in a state file
 * beside the CSV after every batch, so that a rerun sends only what is left; a row the service already holds (a
 * run stopped between the service's answer and the state file) comes back as skipped, since the endpoint is
 * idempotent by {@code externalId}. Rows that fail go to a report file (line, externalId, field, why), never with
 * their key.
 */
@Command(name = "import", description = {"Import keys from a CSV file through POST /keys/import.",
        "Header fields: key or sha256, externalId, name, tenant, ownerId, prefix, environment, expiresAt, tier,",
        "roles and permissions (separated by spaces). Rerun to resume: rows already imported are skipped."})
final class ImportCommand extends Base {
    static final int MAX_BATCH = 1000;
    static final Set<String> FIELDS = Set.of("key", "sha256", "externalId", "name", "tenant", "ownerId", "prefix",
            "environment", "expiresAt", "tier", "roles", "permissions");
    private static final Set<String> LISTS = Set.of("roles", "permissions");

    @Parameters(paramLabel = "FILE.csv") Path file;
    @Option(names = "--batch-size", description = "Keys per call, 1 to 1000 (default 1000).") int batchSize = MAX_BATCH;
    @Option(names = "--report", paramLabel = "FILE", description = "The rows that failed (default: FILE.csv.failed.csv).") Path report;
    @Option(names = "--state", paramLabel = "FILE", description = "What is done, by externalId (default: FILE.csv.imported).") Path state;

    /** A row turned into an item of the request, or the reason it cannot be. */
    private record Item(int line, String externalId, ObjectNode body) {
    }

    private record Failure(int line, String externalId, String field, String detail) {
    }

    @Override
    public Integer call() {
        if (batchSize < 1 || batchSize > MAX_BATCH) throw CliException.usage("--batch-size: must be from 1 to " + MAX_BATCH);
        Path reportFile = report != null ? report : sibling(".failed.csv");
        Path stateFile = state != null ? state : sibling(".imported");
        List<Csv.Row> rows = readCsv();
        if (rows.isEmpty()) throw CliException.usage(file + ": empty, a header row is needed");
        List<String> header = header(rows.get(0));
        Set<String> done = readState(stateFile);
        List<Failure> failures = new ArrayList<>();
        List<Item> todo = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        int alreadyDone = 0;
        for (Csv.Row row : rows.subList(1, rows.size())) {
            Object parsed = item(header, row);
            if (parsed instanceof Failure f) {
                failures.add(f);
                continue;
            }
            Item it = (Item) parsed;
            Integer first = seen.putIfAbsent(it.externalId, it.line);
            if (first != null) failures.add(new Failure(it.line, it.externalId, "externalId", "repeats line " + first));
            else if (done.contains(it.externalId)) alreadyDone++;
            else todo.add(it);
        }
        AdminClient api = todo.isEmpty() ? null : admin();
        Progress progress = new Progress(err(), cli.terminal && !json, todo.size());
        long imported = 0, skipped = 0, started = System.nanoTime();
        try (BufferedWriter stateOut = Files.newBufferedWriter(stateFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (int from = 0; from < todo.size(); from += batchSize) {
                List<Item> batch = todo.subList(from, Math.min(todo.size(), from + batchSize));
                ObjectNode body = AdminClient.JSON.createObjectNode();
                ArrayNode keys = body.putArray("keys");
                batch.forEach(i -> keys.add(i.body));
                JsonNode answer;
                try {
                    answer = api.post("/keys/import", body);
                } catch (CliException e) {
                    progress.end();
                    writeReport(reportFile, failures);
                    throw CliException.failure("batch from line " + batch.get(0).line + ": " + e.getMessage()
                            + "; " + (from) + " rows sent before it are kept, rerun to resume");
                }
                imported += answer.path("imported").asLong();
                skipped += answer.path("skipped").asLong();
                Set<Integer> failed = new HashSet<>();
                for (JsonNode e : answer.path("errors")) {
                    int index = e.path("index").asInt(-1);
                    if (index < 0 || index >= batch.size()) continue;
                    failed.add(index);
                    Item it = batch.get(index);
                    failures.add(new Failure(it.line, it.externalId, e.path("field").asText(""), e.path("detail").asText("")));
                }
                for (int i = 0; i < batch.size(); i++) {
                    if (failed.contains(i)) continue;
                    stateOut.write(batch.get(i).externalId);
                    stateOut.newLine();
                }
                stateOut.flush();
                progress.advance(batch.size());
            }
        } catch (IOException e) {
            throw CliException.failure("cannot write the state file " + stateFile + ": " + e.getMessage());
        }
        progress.end();
        writeReport(reportFile, failures);
        double seconds = (System.nanoTime() - started) / 1e9;
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rows", rows.size() - 1);
            out.put("alreadyDone", alreadyDone);
            out.put("imported", imported);
            out.put("skipped", skipped);
            out.put("failed", failures.size());
            out.put("report", failures.isEmpty() ? null : reportFile.toString());
            out.put("seconds", Math.round(seconds * 1000) / 1000.0);
            printJson(out);
        } else {
            out().printf("imported %d, skipped %d (already there), %d done in an earlier run, %d failed, in %.1f s%n",
                    imported, skipped, alreadyDone, failures.size(), seconds);
            if (!failures.isEmpty()) out().println("the rows that failed and why: " + reportFile);
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private Path sibling(String suffix) {
        Path name = file.getFileName();
        return file.resolveSibling((name == null ? "import.csv" : name.toString()) + suffix);
    }

    private List<Csv.Row> readCsv() {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return Csv.read(in);
        } catch (NoSuchFileException e) {
            throw CliException.usage("no such file: " + file);
        } catch (IOException | UncheckedIOException e) {
            throw CliException.usage(file + ": " + e.getMessage());
        }
    }

    private List<String> header(Csv.Row row) {
        List<String> header = row.fields().stream().map(String::strip).toList();
        for (String h : header) {
            if (!FIELDS.contains(h)) throw CliException.usage(file + ": unknown column '" + h + "' in the header; known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)));
        }
        if (header.size() != new HashSet<>(header).size()) throw CliException.usage(file + ": a column repeats in the header");
        if (!header.contains("externalId")) throw CliException.usage(file + ": the header needs an externalId column (it makes a rerun resume)");
        if (!header.contains("key") && !header.contains("sha256")) throw CliException.usage(file + ": the header needs a key or a sha256 column");
        return header;
    }

    private static Object item(List<String> header, Csv.Row row) {
        List<String> f = row.fields();
        String externalId = header.indexOf("externalId") < f.size() ? f.get(header.indexOf("externalId")).strip() : "";
        if (f.size() != header.size()) {
            return new Failure(row.line(), externalId, "", f.size() + " fields where the header has " + header.size());
        }
        if (externalId.isEmpty()) return new Failure(row.line(), "", "externalId", "is required");
        ObjectNode o = AdminClient.JSON.createObjectNode();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i), v = f.get(i).strip();
            if (v.isEmpty()) continue;
            if (LISTS.contains(name)) {
                ArrayNode a = o.putArray(name);
                for (String s : v.split("\\s+")) a.add(s);
            } else {
                o.put(name, v);
            }
        }
        if (o.has("key") == o.has("sha256")) return new Failure(row.line(), externalId, "key", "give either key or sha256");
        return new Item(row.line(), externalId, o);
    }

    private static Set<String> readState(Path stateFile) {
        if (!Files.exists(stateFile)) return Set.of();
        try (var lines = Files.lines(stateFile, StandardCharsets.UTF_8)) {
            Set<String> done = new HashSet<>();
            lines.map(String::strip).filter(s -> !s.isEmpty()).forEach(done::add);
            return done;
        } catch (IOException | UncheckedIOException e) {
            throw CliException.failure("cannot read the state file " + stateFile + ": " + e.getMessage());
        }
    }

    /** The failures of this run, or no file when there are none (a stale report would mislead). */
    private static void writeReport(Path reportFile, List<Failure> failures) {
        try {
            if (failures.isEmpty()) {
                Files.deleteIfExists(reportFile);
                return;
            }
            List<Failure> sorted = new ArrayList<>(failures);
            sorted.sort(java.util.Comparator.comparingInt(Failure::line));
            List<String> lines = new ArrayList<>();
            lines.add("line,externalId,field,detail");
            for (Failure x : sorted) {
                lines.add(x.line + "," + Csv.quote(x.externalId) + "," + Csv.quote(x.field) + "," + Csv.quote(x.detail));
            }
            Files.write(reportFile, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.failure("cannot write the report " + reportFile + ": " + e.getMessage());
        }
    }
}
