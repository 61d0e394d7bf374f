package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.Clock;
import dev.keys.api.Environment;
import dev.keys.api.JsonValue;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import dev.keys.api.Refill;
import dev.keys.core.authz.IpCondition;
import dev.keys.core.authz.Permissions;
import dev.keys.core.format.KeyFormat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The values of admin bodies (docs/contract.md §5), read strictly on {@link JsonFields#BODY}: every error is a
 * {@link JsonFields.Invalid} naming the field. Details quote field names, never values, so that no answer echoes a
 * key someone put in the wrong place.
 */
final class AdminJson {
    private static final JsonFields FIELDS = JsonFields.BODY;
    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter(Locale.ROOT);
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Set<String> RATELIMIT_FIELDS = Set.of("name", "limit", "duration", "burst", "scope");
    static final int MAX_TEXT = 200, MAX_ITEMS = 1000, MAX_META_BYTES = 4096;

    private AdminJson() {
    }

    static JsonFields.Invalid bad(String field, String what) {
        return JsonFields.invalid(field, what);
    }

    static void onlyFields(JsonNode o, Set<String> allowed, Set<String> immutable, String prefix) {
        FIELDS.only(o, prefix, allowed, immutable, "");
    }

    static ObjectNode object(JsonNode n, String field) {
        return FIELDS.object(n, field);
    }

    static String text(JsonNode n, String field, int max) {
        String s = FIELDS.text(n, field);
        if (s.length() > max) throw bad(field, "must be at most " + max + " characters");
        return s;
    }

    static String nonBlank(JsonNode n, String field, int max) {
        String s = text(n, field, max);
        if (s.isBlank()) throw bad(field, "must not be blank");
        return s;
    }

    static boolean bool(JsonNode n, String field) {
        return FIELDS.bool(n, field);
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
        return Clock.requireInRange(d, field, positive);
    }

    /** An RFC 3339 date-time from 1970 to 9999 (docs/contract.md §3). */
    static Instant instant(String text, String field) {
        Instant i;
        try {
            i = OffsetDateTime.parse(text, RFC3339).toInstant();
        } catch (DateTimeParseException e) {
            throw bad(field, "not an RFC 3339 date-time");
        }
        return Clock.requireInRange(i, field);
    }

    static Instant instant(JsonNode n, String field) {
        if (!n.isTextual()) throw bad(field, "not an RFC 3339 date-time");
        return instant(n.textValue(), field);
    }

    /** At most {@value #MAX_ITEMS} strings of at most {@value #MAX_TEXT} characters, each of {@code shape} when given. */
    static List<String> strings(JsonNode n, String field, Pattern shape, String shapeText) {
        ArrayNode a = FIELDS.array(n, field, "must be an array of strings");
        if (a.size() > MAX_ITEMS) throw bad(field, "must have at most " + MAX_ITEMS + " entries");
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            String f = field + "[" + i + "]";
            String s = text(a.get(i), f, MAX_TEXT);
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

    /**
     * {@code meta}: an object of at most 100 members, named 1 to 100 characters, whose values are any JSON values;
     * at most {@value #MAX_META_BYTES} bytes as compact JSON and {@value JsonValue#MAX_DEPTH} levels deep, the object
     * itself one of them (docs/contract.md §5). Errors name {@code meta}, never a value.
     */
    static Map<String, JsonValue> meta(JsonNode n, String field) {
        ObjectNode o = object(n, field);
        if (o.size() > 100) throw bad(field, "must have at most 100 entries");
        Map<String, JsonValue> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String f = FIELDS.name(field + ".", e.getKey());
            if (e.getKey().isEmpty() || e.getKey().length() > 100) throw bad(f, "keys must be 1 to 100 characters");
            out.put(e.getKey(), json(e.getValue(), field, 2));
        }
        if (JsonValue.toJson(out).getBytes(StandardCharsets.UTF_8).length > MAX_META_BYTES) {
            throw bad(field, "must be at most " + MAX_META_BYTES + " bytes as compact JSON");
        }
        return out;
    }

    /** One JSON value at {@code depth} (the meta object is 1), as the model holds it. */
    private static JsonValue json(JsonNode n, String field, int depth) {
        if (depth > JsonValue.MAX_DEPTH) throw bad(field, "must nest at most " + JsonValue.MAX_DEPTH + " levels deep");
        if (n.isTextual()) return JsonValue.of(n.textValue());
        if (n.isBoolean()) return JsonValue.of(n.booleanValue());
        if (n.isNull()) return JsonValue.Null.NULL;
        if (n.isNumber()) return new JsonValue.Num(n.decimalValue()); // read as BigDecimal (AdminCall.JSON): exactly as sent
        if (n.isArray()) {
            List<JsonValue> items = new ArrayList<>(n.size());
            for (JsonNode item : n) items.add(json(item, field, depth + 1));
            return new JsonValue.Arr(items);
        }
        if (n.isObject()) {
            Map<String, JsonValue> members = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) members.put(e.getKey(), json(e.getValue(), field, depth + 1));
            return new JsonValue.Obj(members);
        }
        throw bad(field, "holds a value that is not JSON");
    }

    static List<RateLimit> ratelimits(JsonNode n, String field) {
        ArrayNode a = FIELDS.array(n, field, "must be an array");
        if (a.size() > 16) throw bad(field, "must have at most 16 entries");
        List<RateLimit> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            String p = field + "[" + i + "].";
            ObjectNode o = object(a.get(i), field + "[" + i + "]");
            onlyFields(o, RATELIMIT_FIELDS, Set.of(), p);
            String name = text(FIELDS.required(o, p, "name"), p + "name", MAX_TEXT);
            if (!SAFE_NAME.matcher(name).matches()) throw bad(p + "name", "must be 1 to 32 of [A-Za-z0-9_.-]");
            if (!names.add(name)) throw bad(p + "name", "is used twice");
            long limit = integer(FIELDS.required(o, p, "limit"), p + "limit", 1);
            Duration d = duration(FIELDS.required(o, p, "duration"), p + "duration", true);
            long burst = o.hasNonNull("burst") ? integer(o.get("burst"), p + "burst", 0) : 0;
            out.add(new RateLimit(name, limit, d, burst, o.hasNonNull("scope") ? scope(o.get("scope"), p + "scope") : RateLimit.Scope.KEY));
        }
        return out;
    }

    private static RateLimit.Scope scope(JsonNode n, String field) {
        try {
            return RateLimit.Scope.parse(text(n, field, 10));
        } catch (IllegalArgumentException e) {
            throw bad(field, "must be key, owner or tenant");
        }
    }

    static Optional<Quota> quota(JsonNode n, String field) {
        if (n.isNull()) return Optional.empty();
        String p = field + ".";
        ObjectNode o = object(n, field);
        onlyFields(o, Set.of("limit", "period"), Set.of(), p);
        long limit = integer(FIELDS.required(o, p, "limit"), p + "limit", 1);
        String periodText = text(FIELDS.required(o, p, "period"), p + "period", 10);
        QuotaPeriod period;
        try {
            period = QuotaPeriod.parse(periodText);
        } catch (IllegalArgumentException e) {
            throw bad(p + "period", "must be DAY, WEEK or MONTH");
        }
        return Optional.of(new Quota(limit, period));
    }

    static Optional<Refill> refill(JsonNode n, String field) {
        if (n.isNull()) return Optional.empty();
        String p = field + ".";
        ObjectNode o = object(n, field);
        onlyFields(o, Set.of("amount", "interval"), Set.of(), p);
        long amount = integer(FIELDS.required(o, p, "amount"), p + "amount", 1);
        return Optional.of(new Refill(amount, duration(FIELDS.required(o, p, "interval"), p + "interval", true)));
    }

    static OptionalLong remaining(JsonNode n, String field) {
        return n.isNull() ? OptionalLong.empty() : OptionalLong.of(integer(n, field, 0));
    }

    static Environment environment(JsonNode n, String field) {
        String v = text(n, field, 10);
        try {
            return Environment.parse(v);
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
}
