package dev.keys.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.keys.cli.AdminClient.segment;

/**
 * {@code keys scan PATH...} (docs/contract.md §8, §9): keys of this format in files, directories and, with
 * {@code --git}, the history of the repositories named. Each find shows file, line, prefix and the first 4
 * characters of the secret, never more. Exit 1 when anything is found.
 *
 * <p>{@code --revoke} finds each key's id by listing the service's keys and matching prefix and start, the two
 * parts of a key the store keeps (§2). It does not ask {@code POST /keys/verify}: a verification of a valid key
 * takes a rate-limit token and a quota or remaining use, and finding a leak should consume nothing. When more than
 * one live key shares prefix and start, nothing is revoked and the ids are listed for a person to decide.
 */
@Command(name = "scan", description = {"Find keys of this format in files, directories and git history.",
        "Exit code 1 when any key is found."})
final class ScanCommand extends Base {
    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files or directories.") List<Path> paths;
    @Option(names = "--git", description = "Also scan the whole history of the git repositories at PATH (git log -p --all).") boolean git;
    @Option(names = "--revoke", description = "Revoke each key found through the admin API, with reason 'leaked: <file>:<line>'.") boolean revoke;

    @Override
    public Integer call() {
        List<Scanner.Find> finds = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        AdminClient api = revoke ? admin() : null;
        for (Path p : paths) {
            if (!Files.exists(p)) throw CliException.usage("no such file or directory: " + p);
            try {
                Scanner.scanPath(p, finds::add, unreadable::add);
                if (git) Scanner.scanGit(Files.isDirectory(p) ? p : p.toAbsolutePath().getParent(), finds::add);
            } catch (IOException e) {
                throw CliException.failure(git && e.getMessage() != null && e.getMessage().contains("\"git\"")
                        ? "git is not installed" : "cannot scan " + p + ": " + e.getMessage());
            }
        }
        print(finds);
        unreadable.forEach(f -> err().println("keys: cannot read " + f));
        int revokeFailures = revoke && !finds.isEmpty() ? revoke(api, finds) : 0;
        if (!json) {
            err().println(finds.isEmpty() ? "no keys found" : "found " + finds.size() + (finds.size() == 1 ? " key" : " keys")
                    + (revoke ? "" : "; revoke them with --revoke or `keys revoke ID`"));
        }
        return finds.isEmpty() && unreadable.isEmpty() && revokeFailures == 0 ? 0 : 1;
    }

    private void print(List<Scanner.Find> finds) {
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Scanner.Find f : finds) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", f.file());
                o.put("line", f.line());
                o.put("prefix", f.prefix());
                o.put("start", f.start());
                out.add(o);
            }
            printJson(out);
        } else if (!finds.isEmpty()) {
            Table t = new Table("FILE", "LINE", "PREFIX", "START");
            finds.forEach(f -> t.row(f.file(), f.line(), f.prefix(), f.start() + "..."));
            t.print(out());
        }
    }

    /** Revokes each distinct key once, with the place it was first found; answers how many could not be. */
    private int revoke(AdminClient api, List<Scanner.Find> finds) {
        Map<String, List<JsonNode>> byPrefixAndStart = new HashMap<>();
        for (JsonNode k : api.all("/keys", Map.of())) {
            byPrefixAndStart.computeIfAbsent(k.path("prefix").asText() + "_" + k.path("start").asText(), x -> new ArrayList<>()).add(k);
        }
        Map<String, Scanner.Find> distinct = new LinkedHashMap<>();
        finds.forEach(f -> distinct.putIfAbsent(f.key(), f));
        int failures = 0;
        for (Scanner.Find f : distinct.values()) {
            List<JsonNode> same = byPrefixAndStart.getOrDefault(f.prefix() + "_" + f.start(), List.of());
            List<JsonNode> live = same.stream().filter(k -> !k.path("status").asText().equals("revoked")).toList();
            String what = f.prefix() + "_" + f.start() + "... (" + f.file() + ":" + f.line() + ")";
            if (live.size() == 1) {
                String id = live.get(0).path("keyId").asText();
                String reason = "leaked: " + f.file() + ":" + f.line();
                if (reason.length() > 500) reason = reason.substring(0, 497) + "...";
                try {
                    api.post("/keys/" + segment(id) + "/revoke", AdminClient.JSON.createObjectNode().put("reason", reason));
                    err().println("revoked " + id + ": " + what);
                } catch (CliException e) {
                    failures++;
                    err().println("keys: could not revoke " + id + " " + what + ": " + e.getMessage());
                }
            } else if (live.size() > 1) {
                failures++;
                err().println("keys: not revoked, " + live.size() + " live keys share the prefix and start of " + what + ": "
                        + String.join(" ", live.stream().map(k -> k.path("keyId").asText()).toList()) + "; revoke the right one by id");
            } else {
                err().println((same.isEmpty() ? "not a key of this service: " : "already revoked: ") + what);
            }
        }
        return failures;
    }
}
