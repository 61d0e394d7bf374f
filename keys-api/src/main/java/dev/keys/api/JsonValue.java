package dev.keys.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable JSON value, the type of a key's {@link ApiKey#meta() meta} values. A sealed type of its own rather
 * than {@code Object} holding {@code String}, {@code BigDecimal}, {@code null}, lists and maps: this module has no
 * dependencies, a {@code switch} over the six cases is checked by the compiler, JSON {@code null} is a value (an
 * immutable {@code Map} cannot hold {@code null}), and equality is JSON's (numbers by value, {@code 1.0} equals
 * {@code 1}), so that two stores holding the same text compare equal.
 *
 * <p>{@link #toJson()} writes compact JSON, objects' members in their order, with the escapes the stores have always
 * written; {@link #parse} reads strict JSON (RFC 8259), at most {@value #MAX_DEPTH} levels deep.
 */
public sealed interface JsonValue permits JsonValue.Str, JsonValue.Num, JsonValue.Bool, JsonValue.Null, JsonValue.Arr, JsonValue.Obj {
    /** How deep {@link #parse} reads, and how deep a key's meta may nest (docs/contract.md §5): 8 levels. */
    int MAX_DEPTH = 8;

    /** A JSON string. */
    record Str(String value) implements JsonValue {
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return toJson();
        }
    }

    /** A JSON number; equal to another of the same value whatever its scale. */
    record Num(BigDecimal value) implements JsonValue {
        public Num {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Num n && value.compareTo(n.value) == 0;
        }

        @Override
        public int hashCode() {
            return value.stripTrailingZeros().hashCode();
        }

        @Override
        public String toString() {
            return toJson();
        }
    }

    /** {@code true} or {@code false}. */
    enum Bool implements JsonValue {
        FALSE, TRUE;

        public boolean value() {
            return this == TRUE;
        }

        @Override
        public String toString() {
            return toJson();
        }
    }

    /** JSON {@code null}. */
    enum Null implements JsonValue {
        NULL;

        @Override
        public String toString() {
            return toJson();
        }
    }

    /** A JSON array. */
    record Arr(List<JsonValue> items) implements JsonValue {
        public Arr {
            items = List.copyOf(items);
        }

        @Override
        public String toString() {
            return toJson();
        }
    }

    /** A JSON object, its members in the order given. */
    record Obj(Map<String, JsonValue> members) implements JsonValue {
        public Obj {
            for (Map.Entry<String, JsonValue> e : members.entrySet()) {
                Objects.requireNonNull(e.getKey(), "member name");
                Objects.requireNonNull(e.getValue(), "member value");
            }
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        @Override
        public String toString() {
            return toJson();
        }
    }

    static JsonValue of(String s) {
        return new Str(s);
    }

    static JsonValue of(long n) {
        return new Num(BigDecimal.valueOf(n));
    }

    static JsonValue of(boolean b) {
        return b ? Bool.TRUE : Bool.FALSE;
    }

    /** Meta of strings only, as 0.1 had it: each value a {@link Str}. */
    static Map<String, JsonValue> strings(Map<String, String> values) {
        Map<String, JsonValue> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, new Str(v)));
        return out;
    }

    /** Levels of nesting: 1 for a string, number, boolean, null or empty array or object. */
    default int depth() {
        int inner = 0;
        if (this instanceof Arr a) for (JsonValue v : a.items) inner = Math.max(inner, v.depth());
        if (this instanceof Obj o) for (JsonValue v : o.members.values()) inner = Math.max(inner, v.depth());
        return 1 + inner;
    }

    /** Compact JSON text. */
    default String toJson() {
        return JsonCodec.write(new StringBuilder(), this).toString();
    }

    /** A JSON object of these members as compact text (a key's meta, as the stores keep it). */
    static String toJson(Map<String, JsonValue> members) {
        return new Obj(members).toJson();
    }

    /**
     * Reads strict JSON text: one value, nothing after it but white space, at most {@value #MAX_DEPTH} levels deep.
     *
     * @throws IllegalArgumentException saying where the text is wrong, never quoting it
     */
    static JsonValue parse(String text) {
        return new JsonCodec(text).document();
    }

    /** Appends {@code s} as a quoted JSON string; control characters and U+2028/U+2029 are escaped. */
    static StringBuilder appendString(StringBuilder sb, String s) {
        return JsonCodec.string(sb, s);
    }
}
