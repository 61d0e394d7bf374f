package dev.keys.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A readable table: columns padded to their widest cell, {@code -} for what is empty. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... header) {
        columns = header.length;
        rows.add(header);
    }

    Table row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            Object c = i < cells.length ? cells[i] : null;
            String s = c == null ? "" : c instanceof JsonNode n ? text(n) : c.toString();
            r[i] = s.isEmpty() ? "-" : s.replaceAll("[\\r\\n\\t]", " ");
        }
        rows.add(r);
        return this;
    }

    /** A JSON value as a cell: null and missing are empty, arrays joined by spaces. */
    static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return "";
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(e -> parts.add(text(e)));
            return String.join(" ", parts);
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    void print(PrintWriter out) {
        int[] width = new int[columns];
        for (String[] r : rows) for (int i = 0; i < columns; i++) width[i] = Math.max(width[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                sb.append(r[i]);
                if (i < columns - 1) sb.append(" ".repeat(width[i] - r[i].length() + 2));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    /** {@code field: value} lines of an object, for one item. */
    static void fields(PrintWriter out, JsonNode o) {
        int w = 0;
        for (var it = o.fieldNames(); it.hasNext(); ) w = Math.max(w, it.next().length());
        for (var it = o.fields(); it.hasNext(); ) {
            var e = it.next();
            String v = text(e.getValue());
            out.println(e.getKey() + ":" + " ".repeat(w - e.getKey().length() + 1) + (v.isEmpty() ? "-" : v));
        }
    }
}
