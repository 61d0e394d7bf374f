package dev.keys.jdbc;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.JsonValue;
import dev.keys.api.RateLimit;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON in the store's text columns (sets and lists of strings, meta, rate limits, audit diffs), read and
 * written by one shared Jackson mapper (meta by {@link JsonValue}). PostgreSQL users can query the columns with {@code ::jsonb}.
 *
 * <p>The text is what the store has always written, byte for byte: compact, members in the order given, control
 * characters as {@code \n}, {@code \r}, {@code \t} or a six-character escape with lowercase hex, and U+2028 and
 * U+2029 escaped too (as in the filter's problem answers), so that instances before and after a change write the
 * same rows. Errors name the
 * column and the position only: the text may be anything an admin typed.
 */
final class JsonColumns {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<LinkedHashMap<String, List<String>>> CHANGES = new TypeReference<>() { };
    private static final ObjectMapper MAPPER = JsonMapper.builder(new JsonFactoryBuilder()
                    .characterEscapes(new Escapes())
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .build())
            .build();

    private JsonColumns() {
    }

    static String strings(Collection<String> values) {
        return write(values);
    }

    static List<String> strings(String column, String text) {
        return read(column, text, STRINGS);
    }

    /** A key's meta: a JSON object of any JSON values, written by {@link JsonValue} (the same bytes as for strings before). */
    static String meta(Map<String, JsonValue> values) {
        return JsonValue.toJson(values);
    }

    static Map<String, JsonValue> meta(String column, String text) {
        JsonValue v;
        try {
            v = JsonValue.parse(text);
        } catch (IllegalArgumentException e) {
            throw malformed(column, e.getMessage().replace("invalid JSON ", ""));
        }
        if (!(v instanceof JsonValue.Obj o)) throw malformed(column, "not an object");
        return o.members();
    }

    /** Field to {@code [before, after]} of an audit event. */
    static String changes(Map<String, List<String>> changes) {
        return write(changes);
    }

    static Map<String, List<String>> changes(String column, String text) {
        return read(column, text, CHANGES);
    }

    /**
     * {@code [{"name", "limit", "duration" (ISO-8601), "burst", "scope"}]}, {@code scope} only when not {@code key}:
     * rows of key-scoped limits stay what older instances write and read.
     */
    static String rateLimits(List<RateLimit> limits) {
        ArrayNode out = MAPPER.createArrayNode();
        for (RateLimit r : limits) {
            ObjectNode o = out.addObject().put("name", r.name()).put("limit", r.limit()).put("duration", r.duration().toString()).put("burst", r.burst());
            if (r.scope() != RateLimit.Scope.KEY) o.put("scope", r.scope().wireName());
        }
        return write(out);
    }

    static List<RateLimit> rateLimits(String column, String text) {
        JsonNode array = read(column, text, JsonNode.class);
        if (!array.isArray()) throw malformed(column, "not an array");
        List<RateLimit> out = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            JsonNode name = n.path("name"), limit = n.path("limit"), duration = n.path("duration"), burst = n.path("burst");
            if (!name.isTextual() || !limit.canConvertToExactIntegral() || !duration.isTextual() || !burst.canConvertToExactIntegral()) {
                throw malformed(column, "a rate limit without name, limit, duration and burst");
            }
            try {
                out.add(new RateLimit(name.textValue(), limit.longValue(), Duration.parse(duration.textValue()), burst.longValue(), scope(column, n.path("scope"))));
            } catch (DateTimeParseException e) {
                throw malformed(column, "a rate limit's duration is not ISO-8601");
            }
        }
        return out;
    }

    /** Rows written before scopes existed have none: they count per key. */
    private static RateLimit.Scope scope(String column, JsonNode scope) {
        if (scope.isMissingNode()) return RateLimit.Scope.KEY;
        try {
            if (scope.isTextual()) return RateLimit.Scope.parse(scope.textValue());
        } catch (IllegalArgumentException e) {
            // falls through to the column's own message
        }
        throw malformed(column, "a rate limit's scope is not key, owner or tenant");
    }

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON column", e); // strings, lists and maps always serialise
        }
    }

    private static <T> T read(String column, String text, Class<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw malformed(column, e);
        }
    }

    private static <T> T read(String column, String text, TypeReference<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw malformed(column, e);
        }
    }

    private static IllegalStateException malformed(String column, JsonProcessingException e) {
        // Not Jackson's message and not as cause: both can quote the stored text.
        long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
        return malformed(column, "at position " + at);
    }

    private static IllegalStateException malformed(String column, String where) {
        return new IllegalStateException("malformed JSON in key store column " + column + ": " + where);
    }

    /** Jackson's escapes but for backspace and form feed, which get six-character escapes, and U+2028 and U+2029 escaped. */
    private static final class Escapes extends CharacterEscapes {
        private static final SerializedString LS = new SerializedString("\\u2028"), PS = new SerializedString("\\u2029");
        private final int[] ascii = standardAsciiEscapesForJSON();

        Escapes() {
            ascii['\b'] = ESCAPE_STANDARD;
            ascii['\f'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x2028 ? LS : ch == 0x2029 ? PS : null;
        }
    }
}
