package dev.keys.jdbc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the store writes into its text columns (sets, maps, rate limits, audit diffs): strings, whole
 * numbers, arrays and objects. Kept here so that the store needs no JSON library; PostgreSQL users can still query
 * the columns with {@code ::jsonb}.
 */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Long || v instanceof Integer) {
            sb.append(v);
        } else if (v instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) sb.append(',');
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                string(sb, (String) e.getKey());
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else {
            throw new IllegalArgumentException("cannot write " + (v == null ? "null" : v.getClass().getSimpleName()) + " as JSON");
        }
    }

    private static void string(StringBuilder sb, String s) {
        dev.keys.core.JsonText.appendString(sb, s);
    }

    /** Strings, {@code Long}s, {@code List}s and insertion-ordered {@code Map}s. */
    static Object read(String text) {
        Reader r = new Reader(text);
        Object v = r.value();
        r.skipSpace();
        if (r.pos != text.length()) throw r.error();
        return v;
    }

    @SuppressWarnings("unchecked")
    static List<String> readStrings(String text) {
        return (List<String>) read(text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> readStringMap(String text) {
        return (Map<String, String>) read(text);
    }

    private static final class Reader {
        private final String s;
        private int pos;

        Reader(String s) {
            this.s = s;
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) throw error();
            char c = s.charAt(pos);
            if (c == '"') return string();
            if (c == '[') {
                pos++;
                List<Object> out = new ArrayList<>();
                skipSpace();
                if (peek() == ']') {
                    pos++;
                    return out;
                }
                while (true) {
                    out.add(value());
                    skipSpace();
                    char d = next();
                    if (d == ']') return out;
                    if (d != ',') throw error();
                }
            }
            if (c == '{') {
                pos++;
                Map<String, Object> out = new LinkedHashMap<>();
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    return out;
                }
                while (true) {
                    skipSpace();
                    String k = string();
                    skipSpace();
                    if (next() != ':') throw error();
                    out.put(k, value());
                    skipSpace();
                    char d = next();
                    if (d == '}') return out;
                    if (d != ',') throw error();
                }
            }
            int start = pos;
            if (c == '-') pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            if (start == pos) throw error();
            return Long.parseLong(s.substring(start, pos));
        }

        String string() {
            if (next() != '"') throw error();
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') return sb.toString();
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) throw error();
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error();
                }
            }
        }

        char peek() {
            if (pos >= s.length()) throw error();
            return s.charAt(pos);
        }

        char next() {
            char c = peek();
            pos++;
            return c;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        IllegalStateException error() {
            // The position only: the stored text may be anything an admin typed.
            return new IllegalStateException("malformed JSON in a key store column at position " + pos);
        }
    }
}
