package dev.keys.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV as RFC 4180 writes it: fields separated by commas, quoted with {@code "} when they hold a comma, a quote or a
 * line break, {@code ""} for a quote inside. Each record remembers the line it starts on, for the report.
 */
final class Csv {
    record Row(int line, List<String> fields) {
    }

    private Csv() {
    }

    static List<Row> read(BufferedReader in) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, any = false;
        int line = 1, start = 1, c;
        while ((c = in.read()) >= 0) {
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int next = in.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        if (next >= 0) in.reset();
                    }
                } else {
                    if (c == '\n') line++;
                    field.append((char) c);
                }
                continue;
            }
            switch (c) {
                case '"' -> { quoted = true; any = true; }
                case ',' -> { fields.add(field.toString()); field.setLength(0); any = true; }
                case '\r' -> { }
                case '\n' -> {
                    if (any || field.length() > 0) {
                        fields.add(field.toString());
                        rows.add(new Row(start, List.copyOf(fields)));
                    }
                    fields.clear();
                    field.setLength(0);
                    any = false;
                    start = ++line;
                }
                default -> { field.append((char) c); any = true; }
            }
        }
        if (quoted) throw new IOException("line " + start + ": a quoted field is not closed");
        if (any || field.length() > 0) {
            fields.add(field.toString());
            rows.add(new Row(start, List.copyOf(fields)));
        }
        return rows;
    }

    static String quote(String s) {
        if (s.isEmpty() || s.chars().noneMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r')) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
