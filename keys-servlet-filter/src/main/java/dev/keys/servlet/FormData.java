package dev.keys.servlet;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code application/x-www-form-urlencoded} text, as query strings and form bodies carry it: the one parser of
 * the filter (query-string credentials), the admin API (query parameters) and the token endpoint (form bodies).
 * Pairs are split on {@code &}, empty ones skipped, a name without {@code =} has the value {@code ""}.
 */
public final class FormData {
    private FormData() {
    }

    /**
     * One pair, percent-decoded, with the raw text it came from (to rebuild a query without it). Its
     * {@code toString} names the pair only: values may be secrets.
     */
    public record Pair(String name, String value, String raw) {
        @Override
        public String toString() {
            return "Pair[" + name + "]";
        }
    }

    /**
     * Every pair of {@code text} in order, percent-decoded.
     *
     * @throws IllegalArgumentException on bad percent-encoding (never echoing the text)
     */
    public static List<Pair> parse(String text) {
        return parse(text, true);
    }

    /** As {@link #parse}, but a name or value that cannot be decoded is kept as it was sent. */
    public static List<Pair> parseLenient(String text) {
        return parse(text, false);
    }

    private static List<Pair> parse(String text, boolean strict) {
        List<Pair> out = new ArrayList<>(4);
        if (text == null || text.isEmpty()) return out;
        int i = 0, n = text.length();
        while (i <= n) {
            int amp = text.indexOf('&', i);
            if (amp < 0) amp = n;
            if (amp > i) {
                int eq = text.indexOf('=', i);
                boolean hasValue = eq >= 0 && eq < amp;
                String name = decode(text.substring(i, hasValue ? eq : amp), strict);
                String value = hasValue ? decode(text.substring(eq + 1, amp), strict) : "";
                out.add(new Pair(name, value, text.substring(i, amp)));
            }
            i = amp + 1;
        }
        return out;
    }

    private static String decode(String s, boolean strict) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            if (strict) throw new IllegalArgumentException("bad percent-encoding");
            return s;
        }
    }
}
