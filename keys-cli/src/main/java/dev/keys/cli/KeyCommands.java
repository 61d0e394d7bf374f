package dev.keys.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.keys.cli.AdminClient.segment;

/** The commands of docs/contract.md §9 that map one to one onto the admin API (§5). */
final class KeyCommands {
    private KeyCommands() {
    }

    @Command(name = "create", description = "Create a key; its plaintext is shown this once.")
    static final class Create extends Base {
        @Option(names = "--name", required = true, description = "What the key is for.") String name;
        @Option(names = "--tenant", description = "Default: the admin key's tenant.") String tenant;
        @Option(names = "--owner", description = "The consumer's id (ownerId).") String owner;
        @Option(names = "--prefix", description = "Such as acme_live (docs/contract.md §2).") String prefix;
        @Option(names = "--role", paramLabel = "ROLE", description = "A role; may be repeated.") List<String> roles = new ArrayList<>();
        @Option(names = "--permission", paramLabel = "PERM", description = "A permission; may be repeated.") List<String> permissions = new ArrayList<>();
        @Option(names = "--expires-at", paramLabel = "INSTANT", description = "RFC 3339, such as 2027-01-01T00:00:00Z.") String expiresAt;

        @Override
        public Integer call() {
            ObjectNode body = AdminClient.JSON.createObjectNode().put("name", name);
            if (tenant != null) body.put("tenant", tenant);
            if (owner != null) body.put("ownerId", owner);
            if (prefix != null) body.put("prefix", prefix);
            roles.forEach(body.putArray("roles")::add);
            permissions.forEach(body.putArray("permissions")::add);
            if (expiresAt != null) body.put("expiresAt", instant(expiresAt, "--expires-at"));
            JsonNode created = admin().post("/keys", body);
            if (json) {
                printJson(created);
            } else {
                out().println("key:   " + created.path("key").asText() + "    (shown this once: hand it over, keep nothing)");
                out().println("keyId: " + created.path("keyId").asText());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List keys (every page).")
    static final class ListKeys extends Base {
        @Option(names = "--tenant") String tenant;
        @Option(names = "--owner", description = "Only keys of this ownerId.") String owner;

        @Override
        public Integer call() {
            Map<String, String> q = new LinkedHashMap<>();
            if (tenant != null) q.put("tenant", tenant);
            if (owner != null) q.put("ownerId", owner);
            List<JsonNode> keys = admin().all("/keys", q);
            if (json) {
                printJson(keys);
                return 0;
            }
            Table t = new Table("ID", "PREFIX", "START", "NAME", "OWNER", "TENANT", "STATUS", "EXPIRES");
            for (JsonNode k : keys) {
                t.row(k.path("keyId"), k.path("prefix"), k.path("start"), k.path("name"), k.path("ownerId"), k.path("tenant"),
                        k.path("status"), k.path("expiresAt"));
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "show", description = "Show one key (never its secret).")
    static final class Show extends Base {
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() {
            JsonNode k = admin().get("/keys/" + segment(id), Map.of());
            if (json) printJson(k);
            else Table.fields(out(), k);
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a key: it fails from the next request on.")
    static final class Revoke extends Base {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--reason") String reason;

        @Override
        public Integer call() {
            ObjectNode body = AdminClient.JSON.createObjectNode();
            if (reason != null) body.put("reason", reason);
            JsonNode k = admin().post("/keys/" + segment(id) + "/revoke", body);
            if (json) printJson(k);
            else out().println("revoked " + k.path("keyId").asText(id));
            return 0;
        }
    }

    @Command(name = "rotate", description = "Rotate a key: a new key now, the old one works for the grace period.")
    static final class Rotate extends Base {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--grace", paramLabel = "DURATION", description = "ISO-8601, such as PT1H (default: none).") String grace;

        @Override
        public Integer call() {
            ObjectNode body = AdminClient.JSON.createObjectNode();
            if (grace != null) {
                try {
                    body.put("gracePeriod", Duration.parse(grace).toString());
                } catch (DateTimeParseException e) {
                    throw CliException.usage("--grace: not an ISO-8601 duration (such as PT1H): " + grace);
                }
            }
            JsonNode fresh = admin().post("/keys/" + segment(id) + "/rotate", body);
            if (json) {
                printJson(fresh);
            } else {
                out().println("key:   " + fresh.path("key").asText() + "    (shown this once)");
                out().println("keyId: " + fresh.path("keyId").asText() + " (rotated from " + id + ")");
            }
            return 0;
        }
    }

    @Command(name = "usage", description = "Requests of a key, per outcome.")
    static final class Usage extends Base {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--from", paramLabel = "INSTANT", description = "Default: a day before --to.") String from;
        @Option(names = "--to", paramLabel = "INSTANT", description = "Default: now.") String to;
        @Option(names = "--granularity", description = "minute, hour (default), day or a duration.") String granularity;

        @Override
        public Integer call() {
            Map<String, String> q = new LinkedHashMap<>();
            if (from != null) q.put("from", instant(from, "--from"));
            if (to != null) q.put("to", instant(to, "--to"));
            if (granularity != null) q.put("granularity", granularity);
            JsonNode u = admin().get("/keys/" + segment(id) + "/usage", q);
            if (json) {
                printJson(u);
                return 0;
            }
            out().println(id + " from " + u.path("from").asText() + " to " + u.path("to").asText());
            Table t = new Table("PERIOD", "OUTCOME", "COUNT");
            u.path("counts").forEach(c -> t.row(c.path("periodStart"), c.path("outcome"), c.path("count")));
            u.path("totals").fields().forEachRemaining(e -> t.row("total", e.getKey(), e.getValue()));
            t.print(out());
            return 0;
        }
    }

    @Command(name = "audit", description = "Lifecycle events: who did what, when and why.")
    static final class Audit extends Base {
        @Option(names = "--key", paramLabel = "ID", description = "Only events of this key.") String key;
        @Option(names = "--limit", description = "At most this many events, newest first (default 100).") int limit = 100;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 1000) throw CliException.usage("--limit: must be from 1 to 1000");
            Map<String, String> q = new LinkedHashMap<>();
            if (key != null) q.put("keyId", key);
            q.put("limit", Integer.toString(limit));
            JsonNode page = admin().get("/audit", q);
            if (json) {
                printJson(page.path("items"));
                return 0;
            }
            Table t = new Table("AT", "ACTION", "ACTOR", "KEY", "REASON");
            page.path("items").forEach(e -> t.row(e.path("at"), e.path("action"), e.path("actor"), e.path("keyId"), e.path("reason")));
            t.print(out());
            return 0;
        }
    }

    static String instant(String text, String option) {
        try {
            return Instant.parse(text).toString();
        } catch (DateTimeParseException e) {
            throw CliException.usage(option + ": not an RFC 3339 instant (such as 2027-01-01T00:00:00Z): " + text);
        }
    }
}
