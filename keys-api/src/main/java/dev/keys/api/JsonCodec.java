package dev.keys.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON writer and reader of {@link JsonValue}. Writing escapes {@code "}, {@code \}, {@code \n}, {@code \r},
 * {@code \t} with a backslash, other control characters and U+2028/U+2029 as six-character escapes in lowercase hex,
 * and nothing else: the bytes the stores and the filter's problem answers have always written. Reading is strict
 * RFC 8259, bounded in depth; errors give the position, never the text.
 */
final class JsonCodec {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private final String s;
    private int i;

    JsonCodec(String text) {
        this.s = java.util.Objects.requireNonNull(text, "text");
    }

    static StringBuilder write(StringBuilder sb, JsonValue v) {
        if (v instanceof JsonValue.Str t) {
            string(sb, t.value());
        } else if (v instanceof JsonValue.Num n) {
            sb.append(n.value().toString());
        } else if (v instanceof JsonValue.Bool b) {
            sb.append(b.value());
        } else if (v instanceof JsonValue.Arr a) {
            sb.append('[');
            for (int k = 0; k < a.items().size(); k++) {
                if (k > 0) sb.append(',');
                write(sb, a.items().get(k));
            }
            sb.append(']');
        } else if (v instanceof JsonValue.Obj o) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
                if (!first) sb.append(',');
                first = false;
                string(sb, e.getKey()).append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else {
            sb.append("null");
        }
        return sb;
    }

    static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    JsonValue document() {
        JsonValue v = value(1);
        space();
        if (i < s.length()) throw error("text after the value");
        return v;
    }

    private JsonValue value(int depth) {
        if (depth > JsonValue.MAX_DEPTH) throw error("nested deeper than " + JsonValue.MAX_DEPTH + " levels");
        space();
        if (i >= s.length()) throw error("a value is missing");
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                Map<String, JsonValue> members = new LinkedHashMap<>();
                space();
                if (peek('}')) return new JsonValue.Obj(members);
                do {
                    space();
                    if (i >= s.length() || s.charAt(i) != '"') throw error("a member name must be a string");
                    int at = i;
                    String name = string();
                    space();
                    expect(':');
                    if (members.put(name, value(depth + 1)) != null) {
                        i = at;
                        throw error("a member name is given twice");
                    }
                    space();
                } while (next(','));
                expect('}');
                return new JsonValue.Obj(members);
            }
            case '[' -> {
                i++;
                List<JsonValue> items = new ArrayList<>();
                space();
                if (peek(']')) return new JsonValue.Arr(items);
                do {
                    items.add(value(depth + 1));
                    space();
                } while (next(','));
                expect(']');
                return new JsonValue.Arr(items);
            }
            case '"' -> {
                return new JsonValue.Str(string());
            }
            default -> {
                if (word("true")) return JsonValue.Bool.TRUE;
                if (word("false")) return JsonValue.Bool.FALSE;
                if (word("null")) return JsonValue.Null.NULL;
                return number();
            }
        }
    }

    private JsonValue number() {
        int start = i;
        if (i < s.length() && s.charAt(i) == '-') i++;
        if (i < s.length() && s.charAt(i) == '0') i++;
        else if (!digits()) throw error("not a JSON value");
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            if (!digits()) throw error("a digit must follow the decimal point");
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            if (!digits()) throw error("a digit must follow the exponent");
        }
        try {
            return new JsonValue.Num(new BigDecimal(s.substring(start, i)));
        } catch (NumberFormatException e) {
            throw error("a number out of range");
        }
    }

    private boolean digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        return i > start;
    }

    private String string() {
        i++; // the opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("a string is not closed");
            char c = s.charAt(i++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw error("a control character inside a string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) throw error("a string is not closed");
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw error("a \\u escape needs four hex digits");
                    int cp = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i++), 16);
                        if (d < 0) throw error("a \\u escape needs four hex digits");
                        cp = cp * 16 + d;
                    }
                    sb.append((char) cp);
                }
                default -> throw error("an unknown escape");
            }
        }
    }

    private void space() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) i++;
    }

    private boolean peek(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private boolean next(char c) {
        space();
        return peek(c);
    }

    private void expect(char c) {
        space();
        if (!peek(c)) throw error("expected '" + c + "'");
    }

    private boolean word(String w) {
        if (!s.startsWith(w, i)) return false;
        i += w.length();
        return true;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at position " + i + ": " + what);
    }
}
