package dev.keys.core.lifecycle;

import dev.keys.api.AuditEvent;
import dev.keys.api.AuditSink;
import dev.keys.api.JsonValue;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The one audit notation of both managers, so that a key's and a client's events read alike: field name to
 * {@code [before, after]}, where an absent value is {@code ""}, a list reads {@code [a, b]} in its order, a set
 * {@code [a, b]} sorted, a map {@code {k=v}} sorted, a JSON value its JSON text (a string as it is, unquoted, as
 * meta of strings always read), and anything else its {@code toString}. And the one way an
 * event is recorded: after the write, never failing it.
 */
final class Audits {
    private static final System.Logger LOG = System.getLogger(KeyManager.class.getName());

    private Audits() {
    }

    /**
     * Every component of the record that differs, but those in {@code unaudited} (digests among them: never
     * audited). With no {@code before} (a create), every component that is not empty; with no {@code after} (an
     * erasure), likewise, as it was.
     */
    static <R extends Record> Map<String, List<String>> diff(Class<R> type, R before, R after, Set<String> unaudited) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            if (unaudited.contains(c.getName())) continue;
            String a = before == null ? "" : display(value(c, before));
            String b = after == null ? "" : display(value(c, after));
            if (before == null ? !isEmpty(b) : after == null ? !isEmpty(a) : !a.equals(b)) out.put(c.getName(), List.of(a, b));
        }
        return out;
    }

    static String display(Object v) {
        if (v instanceof Optional<?> o) return o.map(Audits::display).orElse("");
        if (v instanceof OptionalLong o) return o.isPresent() ? Long.toString(o.getAsLong()) : "";
        if (v instanceof Set<?> s) return String.valueOf(new TreeSet<>(s.stream().map(String::valueOf).toList()));
        if (v instanceof Map<?, ?> m) {
            TreeMap<String, String> sorted = new TreeMap<>();
            m.forEach((k, x) -> sorted.put(String.valueOf(k), display(x)));
            return String.valueOf(sorted);
        }
        if (v instanceof JsonValue.Str s) return s.value();
        if (v instanceof JsonValue j) return j.toJson();
        if (v instanceof Collection<?> l) return String.valueOf(l);
        return String.valueOf(v);
    }

    /** Records an event of a committed change; a failing sink is logged, never thrown. */
    static void record(AuditSink sink, AuditEvent e) {
        try {
            sink.record(e);
        } catch (RuntimeException ex) {
            // The change is committed: failing the call now would make a caller retry a change that holds. The
            // lost event is reported loudly instead (never with a key or digest: the event holds neither).
            LOG.log(System.Logger.Level.ERROR, "audit event lost: " + e.action() + " of " + e.keyId() + " by " + e.actor() + ": " + ex.getMessage());
        }
    }

    private static boolean isEmpty(String s) {
        return s.isEmpty() || s.equals("[]") || s.equals("{}");
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
