package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.Environment;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.core.lifecycle.IssuedClient;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.Refill;
import dev.keys.core.authz.IpCondition;
import dev.keys.core.authz.Permissions;
import dev.keys.core.format.KeyFormat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The admin API's JSON (DESIGN.md §5): strict reading of bodies, where every error names the field, and writing of
 * keys, which never shows the secret or the digest. Details quote field names, never values, so that no answer
 * echoes a key someone put in the wrong place.
 */
final class AdminJson {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter(Locale.ROOT);
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    static final int MAX_TEXT = 200, MAX_ITEMS = 1000;

    private AdminJson() {
    }

    /** A 400 answer whose message is the problem's detail. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String detail) {
            super(detail, null, false, false);
        }
    }

    static BadRequest bad(String field, String what) {
        return new BadRequest(field + ": " + what);
    }

    /** The field's name as it may be quoted in an answer. */
    static String fieldName(String prefix, String f) {
        return prefix + (SAFE_NAME.matcher(f).matches() ? f : "<field>");
    }

    static void onlyFields(JsonNode o, Set<String> allowed, Set<String> immutable, String prefix) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (immutable.contains(f)) throw bad(prefix + f, "cannot be changed");
            if (!allowed.contains(f)) throw bad(fieldName(prefix, f), "unknown field");
        }
    }

    static ObjectNode object(JsonNode n, String field) {
        if (n == null || !n.isObject()) throw bad(field, "must be an object");
        return (ObjectNode) n;
    }

    static String text(JsonNode n, String field, int max) {
        if (!n.isTextual()) throw bad(field, "must be a string");
        String s = n.textValue();
        if (s.length() > max) throw bad(field, "must be at most " + max + " characters");
        return s;
    }

    static String nonBlank(JsonNode n, String field, int max) {
        String s = text(n, field, max);
        if (s.isBlank()) throw bad(field, "must not be blank");
        return s;
    }

    static boolean bool(JsonNode n, String field) {
        if (!n.isBoolean()) throw bad(field, "must be true or false");
        return n.booleanValue();
    }

    static long integer(JsonNode n, String field, long min) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw bad(field, "must be an integer");
        long v = n.longValue();
        if (v < min) throw bad(field, "must be at least " + min);
        return v;
    }

    static Duration duration(JsonNode n, String field, boolean positive) {
        if (!n.isTextual()) throw bad(field, "not an ISO-8601 duration");
        Duration d;
        try {
            d = Duration.parse(n.textValue());
        } catch (DateTimeParseException e) {
            throw bad(field, "not an ISO-8601 duration");
        }
        if (d.isNegative() || (positive && d.isZero())) throw bad(field, positive ? "must be positive" : "must not be negative");
        return d;
    }

    static Instant instant(String text, String field) {
        try {
            return OffsetDateTime.parse(text, RFC3339).toInstant();
        } catch (DateTimeParseException e) {
            throw bad(field, "not an RFC 3339 date-time");
        }
    }

    static Instant instant(JsonNode n, String field) {
        if (!n.isTextual()) throw bad(field, "not an RFC 3339 date-time");
        return instant(n.textValue(), field);
    }

    static List<String> strings(JsonNode n, String field, Pattern shape, String shapeText) {
        if (!n.isArray()) throw bad(field, "must be an array of strings");
        if (n.size() > MAX_ITEMS) throw bad(field, "must have at most " + MAX_ITEMS + " entries");
        List<String> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            String f = field + "[" + i + "]";
            String s = text(n.get(i), f, MAX_TEXT);
            if (shape != null && !shape.matcher(s).matches()) throw bad(f, shapeText);
            out.add(s);
        }
        return out;
    }

    static Set<String> permissions(JsonNode n, String field) {
        List<String> out = strings(n, field, null, null);
        for (int i = 0; i < out.size(); i++) {
            if (!Permissions.isValid(out.get(i))) throw bad(field + "[" + i + "]", "not a permission (resource:action[:instance])");
        }
        return new LinkedHashSet<>(out);
    }

    static Set<String> roles(JsonNode n, String field) {
        return new LinkedHashSet<>(strings(n, field, ROLE, "not a role name (1 to 64 of A-Z a-z 0-9 . _ : -)"));
    }

    static List<String> ipAllowlist(JsonNode n, String field) {
        List<String> out = strings(n, field, null, null);
        for (int i = 0; i < out.size(); i++) {
            try {
                IpCondition.validate(out.get(i));
            } catch (IllegalArgumentException e) {
                throw bad(field + "[" + i + "]", "not an IP address or CIDR range");
            }
        }
        return out;
    }

    static Map<String, String> meta(JsonNode n, String field) {
        ObjectNode o = object(n, field);
        if (o.size() > 100) throw bad(field, "must have at most 100 entries");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String f = fieldName(field + ".", e.getKey());
            if (e.getKey().isEmpty() || e.getKey().length() > 100) throw bad(f, "keys must be 1 to 100 characters");
            out.put(e.getKey(), text(e.getValue(), f, 1000));
        }
        return out;
    }

    private static final Set<String> RATELIMIT_FIELDS = Set.of("name", "limit", "duration", "burst");

    static List<RateLimit> ratelimits(JsonNode n, String field) {
        if (!n.isArray()) throw bad(field, "must be an array");
        if (n.size() > 16) throw bad(field, "must have at most 16 entries");
        List<RateLimit> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            String p = field + "[" + i + "]";
            ObjectNode o = object(n.get(i), p);
            onlyFields(o, RATELIMIT_FIELDS, Set.of(), p + ".");
            String name = required(o, "name", p);
            if (!SAFE_NAME.matcher(name).matches()) throw bad(p + ".name", "must be 1 to 32 of [A-Za-z0-9_.-]");
            if (!names.add(name)) throw bad(p + ".name", "is used twice");
            if (!o.hasNonNull("limit")) throw bad(p + ".limit", "is required");
            long limit = integer(o.get("limit"), p + ".limit", 1);
            if (!o.hasNonNull("duration")) throw bad(p + ".duration", "is required");
            Duration d = duration(o.get("duration"), p + ".duration", true);
            long burst = o.hasNonNull("burst") ? integer(o.get("burst"), p + ".burst", 0) : 0;
            out.add(new RateLimit(name, limit, d, burst));
        }
        return out;
    }

    private static String required(ObjectNode o, String f, String prefix) {
        if (!o.hasNonNull(f)) throw bad(prefix + "." + f, "is required");
        return text(o.get(f), prefix + "." + f, MAX_TEXT);
    }

    static Optional<Quota> quota(JsonNode n, String field) {
        if (n.isNull()) return Optional.empty();
        ObjectNode o = object(n, field);
        onlyFields(o, Set.of("limit", "period"), Set.of(), field + ".");
        if (!o.hasNonNull("limit")) throw bad(field + ".limit", "is required");
        long limit = integer(o.get("limit"), field + ".limit", 1);
        if (!o.hasNonNull("period")) throw bad(field + ".period", "is required");
        QuotaPeriod period;
        try {
            period = QuotaPeriod.parse(text(o.get("period"), field + ".period", 10));
        } catch (IllegalArgumentException e) {
            throw bad(field + ".period", "must be DAY, WEEK or MONTH");
        }
        return Optional.of(new Quota(limit, period));
    }

    static Optional<Refill> refill(JsonNode n, String field) {
        if (n.isNull()) return Optional.empty();
        ObjectNode o = object(n, field);
        onlyFields(o, Set.of("amount", "interval"), Set.of(), field + ".");
        if (!o.hasNonNull("amount")) throw bad(field + ".amount", "is required");
        long amount = integer(o.get("amount"), field + ".amount", 1);
        if (!o.hasNonNull("interval")) throw bad(field + ".interval", "is required");
        return Optional.of(new Refill(amount, duration(o.get("interval"), field + ".interval", true)));
    }

    static OptionalLong remaining(JsonNode n, String field) {
        return n.isNull() ? OptionalLong.empty() : OptionalLong.of(integer(n, field, 0));
    }

    static Environment environment(JsonNode n, String field) {
        try {
            return Environment.parse(text(n, field, 10));
        } catch (IllegalArgumentException e) {
            throw bad(field, "must be live or test");
        }
    }

    static String prefix(JsonNode n, String field) {
        String p = text(n, field, 64);
        try {
            return KeyFormat.requireValidPrefix(p);
        } catch (IllegalArgumentException e) {
            throw bad(field, "must be 1 to 24 characters of [a-z0-9_] starting with a letter");
        }
    }

    // ---- writing ----

    static ObjectNode key(ApiKey k) {
        ObjectNode o = NODES.objectNode();
        o.put("keyId", k.id());
        fields(o, k);
        return o;
    }

    /** The create and rotate answer: the key's fields and, this once, its plaintext. */
    static ObjectNode issued(ApiKey k, String plaintext) {
        ObjectNode o = NODES.objectNode();
        o.put("keyId", k.id());
        o.put("key", plaintext);
        fields(o, k);
        return o;
    }

    private static void fields(ObjectNode o, ApiKey k) {
        o.put("start", k.start());
        o.put("name", k.name());
        o.put("ownerId", k.ownerId());
        o.put("tenant", k.tenant());
        o.put("prefix", k.prefix());
        o.put("environment", k.environment().wireName());
        o.put("status", status(k.status()));
        ArrayNode roles = o.putArray("roles");
        new TreeSet<>(k.roles()).forEach(roles::add);
        ArrayNode perms = o.putArray("permissions");
        new TreeSet<>(k.permissions()).forEach(perms::add);
        putInstant(o, "expiresAt", k.expiresAt());
        ArrayNode rls = o.putArray("ratelimits");
        for (RateLimit r : k.ratelimits()) {
            ObjectNode ro = rls.addObject();
            ro.put("name", r.name());
            ro.put("limit", r.limit());
            ro.put("duration", r.duration().toString());
            if (r.burst() > 0) ro.put("burst", r.burst());
        }
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
        new java.util.TreeMap<>(k.meta()).forEach(meta::put);
        if (k.tier().isPresent()) o.put("tier", k.tier().get());
        else o.putNull("tier");
        o.put("createdAt", k.createdAt().toString());
        o.put("updatedAt", k.updatedAt().toString());
        if (k.rotatedTo().isPresent()) o.put("rotatedTo", k.rotatedTo().get());
        else o.putNull("rotatedTo");
        o.put("version", k.version());
    }

    /** A client as the admin API shows it: never the secret or its digest. */
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
        ArrayNode roles = o.putArray("roles");
        new TreeSet<>(c.roles()).forEach(roles::add);
        ArrayNode perms = o.putArray("permissions");
        new TreeSet<>(c.permissions()).forEach(perms::add);
        ratelimits(o.putArray("ratelimits"), c.ratelimits());
        o.put("createdAt", c.createdAt().toString());
        o.put("updatedAt", c.updatedAt().toString());
        o.put("version", c.version());
    }

    private static void ratelimits(ArrayNode rls, List<RateLimit> limits) {
        for (RateLimit r : limits) {
            ObjectNode ro = rls.addObject();
            ro.put("name", r.name());
            ro.put("limit", r.limit());
            ro.put("duration", r.duration().toString());
            if (r.burst() > 0) ro.put("burst", r.burst());
        }
    }

    /** A set or list as an audit display string: sorted sets, space-separated. */
    static String display(java.util.Collection<?> values) {
        java.util.Collection<?> ordered = values instanceof Set<?> set ? new TreeSet<>(set.stream().map(String::valueOf).toList()) : values;
        StringBuilder sb = new StringBuilder();
        for (Object v : ordered) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(v instanceof RateLimit r ? r.name() + "=" + r.limit() + "/" + r.duration() + (r.burst() > 0 ? "+" + r.burst() : "") : String.valueOf(v));
        }
        return sb.toString();
    }

    static String status(KeyStatus s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    static void putInstant(ObjectNode o, String field, Optional<Instant> i) {
        if (i.isPresent()) o.put(field, i.get().toString());
        else o.putNull(field);
    }

    static ObjectNode audit(AuditEvent e) {
        ObjectNode o = NODES.objectNode();
        o.put("at", e.at().toString());
        o.put("action", e.action());
        o.put("actor", e.actor());
        o.put("tenant", e.tenant());
        o.put("keyId", e.keyId());
        if (e.reason().isPresent()) o.put("reason", e.reason().get());
        else o.putNull("reason");
        ObjectNode changes = o.putObject("changes");
        for (Map.Entry<String, List<String>> c : new java.util.TreeMap<>(e.changes()).entrySet()) {
            ArrayNode pair = changes.putArray(c.getKey());
            c.getValue().forEach(pair::add);
        }
        return o;
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
}
