package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.JsonValue;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.api.Page;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.UsageCount;
import dev.keys.core.lifecycle.IssuedClient;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What the admin API answers (docs/contract.md §5): a key, a client, a page, usage, an audit event. Neither a key's
 * secret nor any digest is ever written; a plaintext appears only in the create and rotate answers
 * ({@link #issued}, {@link #issuedClient}). Sets are sorted, so that answers are stable.
 */
final class AdminViews {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonNodeFactory EXACT = JsonNodeFactory.withExactBigDecimals(true);

    private AdminViews() {
    }

    static ObjectNode key(ApiKey k) {
        ObjectNode o = NODES.objectNode();
        o.put("keyId", k.id());
        keyFields(o, k);
        return o;
    }

    /** The create and rotate answer: the key's fields and, this once, its plaintext. */
    static ObjectNode issued(ApiKey k, String plaintext) {
        ObjectNode o = NODES.objectNode();
        o.put("keyId", k.id());
        o.put("key", plaintext);
        keyFields(o, k);
        return o;
    }

    private static void keyFields(ObjectNode o, ApiKey k) {
        o.put("start", k.start());
        o.put("name", k.name());
        o.put("ownerId", k.ownerId());
        o.put("tenant", k.tenant());
        o.put("prefix", k.prefix());
        o.put("environment", k.environment().wireName());
        o.put("status", status(k.status()));
        sorted(o.putArray("roles"), k.roles());
        sorted(o.putArray("permissions"), k.permissions());
        putInstant(o, "expiresAt", k.expiresAt());
        ratelimits(o.putArray("ratelimits"), k.ratelimits());
        if (k.quota().isPresent()) {
            ObjectNode q = o.putObject("quota");
            q.put("limit", k.quota().get().limit());
            q.put("period", k.quota().get().period().name());
        } else {
            o.putNull("quota");
        }
        if (k.remaining().isPresent()) o.put("remaining", k.remaining().getAsLong());
        else o.putNull("remaining");
        if (k.refill().isPresent()) {
            ObjectNode r = o.putObject("refill");
            r.put("amount", k.refill().get().amount());
            r.put("interval", k.refill().get().interval().toString());
        } else {
            o.putNull("refill");
        }
        ArrayNode ips = o.putArray("ipAllowlist");
        k.ipAllowlist().forEach(ips::add);
        ObjectNode meta = o.putObject("meta");
        new TreeMap<>(k.meta()).forEach((name, v) -> meta.set(name, node(v)));
        putText(o, "tier", k.tier());
        o.put("createdAt", k.createdAt().toString());
        o.put("updatedAt", k.updatedAt().toString());
        putText(o, "rotatedTo", k.rotatedTo());
        o.put("version", k.version());
    }

    /** A meta value as written: numbers exactly as held (not Jackson's default, which strips {@code 100} to {@code 1E+2}). */
    static JsonNode node(JsonValue v) {
        if (v instanceof JsonValue.Str s) return EXACT.textNode(s.value());
        if (v instanceof JsonValue.Num n) return EXACT.numberNode(n.value());
        if (v instanceof JsonValue.Bool b) return EXACT.booleanNode(b.value());
        if (v instanceof JsonValue.Arr a) {
            ArrayNode out = EXACT.arrayNode();
            a.items().forEach(item -> out.add(node(item)));
            return out;
        }
        if (v instanceof JsonValue.Obj o) {
            ObjectNode out = EXACT.objectNode();
            o.members().forEach((name, item) -> out.set(name, node(item)));
            return out;
        }
        return EXACT.nullNode();
    }

    /** A client: never the secret or its digest. */
    static ObjectNode client(OAuthClient c) {
        ObjectNode o = NODES.objectNode();
        o.put("clientId", c.clientId());
        clientFields(o, c);
        return o;
    }

    /** The create answer: the client's fields and, this once, its secret. */
    static ObjectNode issuedClient(IssuedClient issued) {
        ObjectNode o = NODES.objectNode();
        o.put("clientId", issued.clientId());
        o.put("clientSecret", issued.clientSecret());
        clientFields(o, issued.client());
        return o;
    }

    private static void clientFields(ObjectNode o, OAuthClient c) {
        o.put("name", c.name());
        o.put("tenant", c.tenant());
        o.put("status", status(c.status()));
        sorted(o.putArray("roles"), c.roles());
        sorted(o.putArray("permissions"), c.permissions());
        ratelimits(o.putArray("ratelimits"), c.ratelimits());
        o.put("createdAt", c.createdAt().toString());
        o.put("updatedAt", c.updatedAt().toString());
        o.put("version", c.version());
    }

    /** The one writer of a key's or client's bandwidths: {@code burst} and {@code scope} only when not the default. */
    private static void ratelimits(ArrayNode out, List<RateLimit> limits) {
        for (RateLimit r : limits) {
            ObjectNode ro = out.addObject();
            ro.put("name", r.name());
            ro.put("limit", r.limit());
            ro.put("duration", r.duration().toString());
            if (r.burst() > 0) ro.put("burst", r.burst());
            if (r.scope() != RateLimit.Scope.KEY) ro.put("scope", r.scope().wireName());
        }
    }

    /** {@code {"items": [...], "nextCursor": ...}}, {@code nextCursor} null on the last page. */
    static <T> ObjectNode page(Page<T> page, Function<T, ObjectNode> view) {
        ObjectNode out = NODES.objectNode();
        ArrayNode items = out.putArray("items");
        page.items().forEach(t -> items.add(view.apply(t)));
        putText(out, "nextCursor", page.nextCursor());
        return out;
    }

    static ObjectNode audit(AuditEvent e) {
        ObjectNode o = NODES.objectNode();
        o.put("at", e.at().toString());
        o.put("action", e.action());
        o.put("actor", e.actor());
        o.put("tenant", e.tenant());
        o.put("keyId", e.keyId());
        putText(o, "reason", e.reason());
        ObjectNode changes = o.putObject("changes");
        for (Map.Entry<String, List<String>> c : new TreeMap<>(e.changes()).entrySet()) {
            ArrayNode pair = changes.putArray(c.getKey());
            c.getValue().forEach(pair::add);
        }
        return o;
    }

    /** Counts per period and outcome, and their totals per outcome. */
    static ObjectNode usage(String keyId, Instant from, Instant to, Duration granularity, List<UsageCount> counts) {
        ObjectNode out = NODES.objectNode();
        out.put("keyId", keyId);
        out.put("from", from.toString());
        out.put("to", to.toString());
        out.put("granularity", granularity.toString());
        ArrayNode items = out.putArray("counts");
        Map<String, Long> totals = new LinkedHashMap<>();
        for (UsageCount u : counts) {
            ObjectNode o = items.addObject();
            o.put("periodStart", u.periodStart().toString());
            o.put("outcome", u.outcome().name());
            o.put("count", u.count());
            totals.merge(u.outcome().name(), u.count(), Long::sum);
        }
        ObjectNode t = out.putObject("totals");
        totals.forEach(t::put);
        return out;
    }

    static ArrayNode ratelimitStatuses(List<RateLimitStatus> statuses) {
        ArrayNode a = NODES.arrayNode();
        for (RateLimitStatus s : statuses) {
            ObjectNode o = a.addObject();
            o.put("name", s.name());
            o.put("limit", s.limit());
            o.put("window", s.windowSeconds());
            o.put("remaining", s.remaining());
            o.put("reset", s.resetSeconds());
        }
        return a;
    }

    static String status(KeyStatus s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static void sorted(ArrayNode out, java.util.Set<String> values) {
        new TreeSet<>(values).forEach(out::add);
    }

    private static void putInstant(ObjectNode o, String field, Optional<Instant> i) {
        if (i.isPresent()) o.put(field, i.get().toString());
        else o.putNull(field);
    }

    private static void putText(ObjectNode o, String field, Optional<String> s) {
        if (s.isPresent()) o.put(field, s.get());
        else o.putNull(field);
    }
}
