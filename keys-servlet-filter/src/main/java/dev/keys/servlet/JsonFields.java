package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one reader of fields in Jackson trees, for admin bodies ({@link AdminJson}), the filter's policy file
 * ({@link FilterConfigReader}) and authorization policies ({@link PolicyLoader}): an unknown field, a missing one
 * or one of the wrong type is an {@link Invalid} whose message names the field ({@code ratelimits[0].limit: is
 * required}). Only the wording is the caller's ({@link Wording}), because users quote each document's messages.
 */
final class JsonFields {
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    /**
     * How errors read. Admin bodies and the filter's file say {@code must be a string}, policies
     * {@code expected a string}. A body's field names come from the caller and are quoted only when plain (else
     * {@code <field>}), so that no answer echoes text such as a key sent in the wrong place; a file's are quoted as
     * written.
     */
    record Wording(String string, String bool, String strings, String object, String missing, boolean quoteAnyName) {
        static final Wording BODY = new Wording("must be a string", "must be true or false", "must be an array of strings",
                "must be an object", "is required", false);
        static final Wording FILE = new Wording(BODY.string, BODY.bool, BODY.strings, BODY.object, BODY.missing, true);
        static final Wording POLICY = new Wording("expected a string", "expected true or false", "expected a list of strings",
                "expected an object", "missing", true);
    }

    /** A field that is wrong: the message is {@code field: what}, and holds no value. */
    static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String field, what;

        Invalid(String field, String what) {
            super(field + ": " + what);
            this.field = field;
            this.what = what;
        }

        String field() {
            return field;
        }

        String what() {
            return what;
        }

        /** Every field found wrong in one document, this one first (docs/contract.md §3: a 400 lists them all). */
        List<Invalid> all() {
            return List.of(this);
        }

        /** Expected, and often on hostile input: no stack to walk. */
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Several fields wrong: the message is the first's. */
    static final class Invalids extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final transient List<Invalid> all;

        private Invalids(List<Invalid> all) {
            super(all.get(0).getMessage());
            this.all = List.copyOf(all);
        }

        List<Invalid> all() {
            return all;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * Reads the fields of one document and keeps on after an {@link Invalid}, so that one answer names every wrong
     * field; {@link #done()} throws them, the first in reading order first.
     */
    static final class Errors {
        private final List<Invalid> found = new ArrayList<>();

        /** The value {@code read} answers, or {@code null} (never passed on: {@link #done} throws) when it refused. */
        <T> T read(java.util.function.Supplier<T> read) {
            try {
                return read.get();
            } catch (Invalids e) {
                found.addAll(e.all());
            } catch (Invalid e) {
                found.add(e);
            }
            return null;
        }

        void check(Runnable check) {
            read(() -> {
                check.run();
                return null;
            });
        }

        boolean ok() {
            return found.isEmpty();
        }

        /** @throws Invalid or {@link Invalids} when anything was wrong */
        void done() {
            if (found.size() == 1) throw found.get(0);
            if (!found.isEmpty()) throw new Invalids(found);
        }

        /** What was wrong, in reading order. */
        List<Invalid> found() {
            return List.copyOf(found);
        }
    }

    static final JsonFields BODY = new JsonFields(Wording.BODY), FILE = new JsonFields(Wording.FILE), POLICY = new JsonFields(Wording.POLICY);

    private final Wording wording;

    private JsonFields(Wording wording) {
        this.wording = wording;
    }

    static Invalid invalid(String field, String what) {
        return new Invalid(field, what);
    }

    /** The field {@code f} under {@code prefix} as an answer may quote it. */
    String name(String prefix, String f) {
        return prefix + (wording.quoteAnyName || PLAIN_NAME.matcher(f).matches() ? f : "<field>");
    }

    /** Refuses any field of {@code o} not in {@code known}. */
    void only(JsonNode o, String prefix, Set<String> known) {
        only(o, prefix, known, Set.of(), "");
    }

    /**
     * Refuses the fields of {@code o} in {@code immutable} ({@code cannot be changed}) and any not in {@code known}
     * ({@code unknown field}, followed by {@code (expected <hint>)} when a hint is given).
     */
    void only(JsonNode o, String prefix, Set<String> known, Set<String> immutable, String hint) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) onlyOne(it.next(), prefix, known, immutable, hint);
    }

    /** As {@link #only(JsonNode, String, Set, Set, String)}, each refused field told to {@code errors}. */
    void only(JsonNode o, String prefix, Set<String> known, Set<String> immutable, Errors errors) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            errors.check(() -> onlyOne(f, prefix, known, immutable, ""));
        }
    }

    private void onlyOne(String f, String prefix, Set<String> known, Set<String> immutable, String hint) {
        if (immutable.contains(f)) throw invalid(prefix + f, "cannot be changed");
        if (!known.contains(f)) throw invalid(name(prefix, f), "unknown field" + (hint.isEmpty() ? "" : " (expected " + hint + ")"));
    }

    /** The field {@code f} of {@code o}, which must be there and not {@code null}. */
    JsonNode required(JsonNode o, String prefix, String f) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) throw invalid(prefix + f, wording.missing);
        return n;
    }

    ObjectNode object(JsonNode n, String field) {
        return object(n, field, wording.object);
    }

    /** An object, or {@code field: what}. */
    ObjectNode object(JsonNode n, String field, String what) {
        if (n == null || !n.isObject()) throw invalid(field, what);
        return (ObjectNode) n;
    }

    /** An array, or {@code field: what}. */
    ArrayNode array(JsonNode n, String field, String what) {
        if (n == null || !n.isArray()) throw invalid(field, what);
        return (ArrayNode) n;
    }

    String text(JsonNode n, String field) {
        if (n == null || !n.isTextual()) throw invalid(field, wording.string);
        return n.textValue();
    }

    boolean bool(JsonNode n, String field) {
        if (n == null || !n.isBoolean()) throw invalid(field, wording.bool);
        return n.booleanValue();
    }

    List<String> strings(JsonNode n, String field) {
        return strings(n, field, wording.strings);
    }

    /** An array of strings, the array's error {@code field: what}, an element's {@code field[i]: ...}. */
    List<String> strings(JsonNode n, String field, String what) {
        ArrayNode a = array(n, field, what);
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) out.add(text(a.get(i), field + "[" + i + "]"));
        return out;
    }
}
