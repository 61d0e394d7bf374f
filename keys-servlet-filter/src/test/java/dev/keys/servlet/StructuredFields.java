package dev.keys.servlet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for RFC 8941 lists of items with parameters, as far as the RateLimit fields need: bare items are
 * sf-strings, sf-integers or tokens; parameter values sf-integers, sf-strings, tokens or booleans. Anything else
 * throws, so that a test fails on any syntax error in the fields.
 */
final class StructuredFields {
    record Item(Object value, Map<String, Object> params) {
    }

    /** An sf-token, kept apart from sf-strings so that a test can tell them apart. */
    record Token(String text) {
    }

    private final String s;
    private int i;

    private StructuredFields(String s) {
        this.s = s;
    }

    static List<Item> parseList(String field) {
        StructuredFields p = new StructuredFields(field);
        p.sp();
        List<Item> out = new ArrayList<>();
        if (p.i == p.s.length()) return out;
        while (true) {
            out.add(p.item());
            p.ows();
            if (p.i == p.s.length()) return out;
            p.expect(',');
            p.ows();
            if (p.i == p.s.length()) throw new IllegalArgumentException("trailing comma");
        }
    }

    private Item item() {
        Object v = bare();
        Map<String, Object> params = new LinkedHashMap<>();
        while (i < s.length() && s.charAt(i) == ';') {
            i++;
            sp();
            String k = key();
            Object pv = Boolean.TRUE;
            if (i < s.length() && s.charAt(i) == '=') {
                i++;
                pv = bare();
            }
            params.put(k, pv);
        }
        return new Item(v, params);
    }

    private Object bare() {
        if (i >= s.length()) throw new IllegalArgumentException("item expected at " + i);
        char c = s.charAt(i);
        if (c == '"') return string();
        if (c == '-' || Character.isDigit(c)) return integer();
        if (c == '?') {
            i++;
            char b = s.charAt(i++);
            if (b != '0' && b != '1') throw new IllegalArgumentException("bad boolean");
            return b == '1';
        }
        if (Character.isLetter(c) || c == '*') return token();
        throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw new IllegalArgumentException("unterminated string");
            char c = s.charAt(i++);
            if (c == '\\') {
                char n = s.charAt(i++);
                if (n != '"' && n != '\\') throw new IllegalArgumentException("bad escape");
                sb.append(n);
            } else if (c == '"') {
                return sb.toString();
            } else if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("bad string character");
            } else {
                sb.append(c);
            }
        }
    }

    private long integer() {
        int start = i;
        if (s.charAt(i) == '-') i++;
        int digits = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (digits == 0 || digits > 15) throw new IllegalArgumentException("bad integer at " + start);
        if (i < s.length() && s.charAt(i) == '.') throw new IllegalArgumentException("decimals are not expected");
        return Long.parseLong(s.substring(start, i));
    }

    private Token token() {
        int start = i++;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "!#$%&'*+-.^_`|~:/".indexOf(s.charAt(i)) >= 0)) i++;
        return new Token(s.substring(start, i));
    }

    private String key() {
        int start = i;
        if (i >= s.length() || !(Character.isLowerCase(s.charAt(i)) || s.charAt(i) == '*')) throw new IllegalArgumentException("bad key at " + i);
        i++;
        while (i < s.length() && (Character.isLowerCase(s.charAt(i)) || Character.isDigit(s.charAt(i)) || "_-.*".indexOf(s.charAt(i)) >= 0)) i++;
        return s.substring(start, i);
    }

    private void expect(char c) {
        if (i >= s.length() || s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
        i++;
    }

    private void sp() {
        while (i < s.length() && s.charAt(i) == ' ') i++;
    }

    private void ows() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
    }
}
