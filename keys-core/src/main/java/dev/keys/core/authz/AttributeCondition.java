package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.JsonValue;
import dev.keys.api.RequestContext;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request attribute ({@link RequestContext#attributes()}) or key attribute ({@link ApiKey#meta()}) equals a value
 * or is one of a set. A missing attribute fails. Names and values are compared exactly (case-sensitive).
 *
 * <p>Meta values are JSON values: a condition value matches a string equal to it, a number of its value when it
 * is a JSON number ({@code key.level = 3} matches {@code 3} and {@code 3.0}), a boolean when it is {@code true} or
 * {@code false}; {@code null}, arrays and objects match nothing. Testing a number allocates (its hash); the
 * other kinds allocate nothing.
 */
final class AttributeCondition implements Condition {

    /** Where the attribute is read. */
    enum Source { REQUEST, KEY }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Source source;
    private final String name;
    private final String single;
    private final Set<String> values;
    /** What the values match in a key's meta: each as a string, and as a number or boolean where it reads as one. */
    private final Set<JsonValue> metaValues;
    private final String description;

    private AttributeCondition(Source source, String name, Set<String> values) {
        this.source = source;
        this.name = name;
        this.values = Set.copyOf(values);
        this.single = values.size() == 1 ? values.iterator().next() : null;
        Set<JsonValue> meta = new LinkedHashSet<>();
        for (String v : values) {
            meta.add(JsonValue.of(v));
            if (v.equals("true") || v.equals("false") || v.charAt(0) == '-' || Character.isDigit(v.charAt(0))) {
                try {
                    JsonValue j = JsonValue.parse(v);
                    if (j instanceof JsonValue.Num || j instanceof JsonValue.Bool) meta.add(j);
                } catch (IllegalArgumentException e) {
                    // a string only
                }
            }
        }
        this.metaValues = Set.copyOf(meta);
        String prefix = source == Source.REQUEST ? "request." : "key.";
        this.description = prefix + name + (single != null ? " = " + single : " in " + String.join(", ", values));
    }

    /** The request attribute {@code name} is one of {@code values} (equality when there is one value). */
    public static AttributeCondition request(String name, Collection<String> values) {
        return of(Source.REQUEST, name, values);
    }

    /** The key attribute (meta) {@code name} is one of {@code values}. */
    public static AttributeCondition key(String name, Collection<String> values) {
        return of(Source.KEY, name, values);
    }

    public static AttributeCondition of(Source source, String name, Collection<String> values) {
        if (!NAME.matcher(name).matches())
            throw new IllegalArgumentException("invalid attribute name \"" + name + "\": use 1 to 64 of A-Z a-z 0-9 _ . -");
        if (values.isEmpty()) throw new IllegalArgumentException("attribute " + name + ": expected at least one value");
        for (String v : values) {
            if (v.isEmpty() || v.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',' || c == '[' || c == ']' || c < 0x20))
                throw new IllegalArgumentException("attribute " + name + ": invalid value \"" + v + "\" (no white space, ',', '[' or ']')");
        }
        return new AttributeCondition(source, name, new LinkedHashSet<>(values));
    }

    /** {@code kind} is {@code request.NAME} or {@code key.NAME}; {@code rest} is {@code = V} or {@code in V1, V2}. */
    static AttributeCondition parse(String kind, String rest) {
        Source source = kind.startsWith("request.") ? Source.REQUEST : Source.KEY;
        String name = kind.substring(kind.indexOf('.') + 1);
        if (rest.startsWith("=")) {
            java.util.List<String> v = Words.list(rest.substring(1), kind + " =");
            if (v.size() != 1) throw new IllegalArgumentException("condition " + kind + ": expected one value after '=' (use 'in' for several)");
            return of(source, name, v);
        }
        if (rest.startsWith("in ") || rest.startsWith("in\t")) return of(source, name, Words.list(rest.substring(3), kind + " in"));
        throw new IllegalArgumentException("condition " + kind + ": expected '= VALUE' or 'in VALUE, VALUE'");
    }

    @Override
    public boolean test(ApiKey key, RequestContext request, long nowNanos) {
        if (source == Source.KEY) {
            JsonValue v = key.meta().get(name);
            return v != null && metaValues.contains(v);
        }
        String v = request.attributes().get(name);
        if (v == null) return false;
        return single != null ? single.equals(v) : values.contains(v);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }
}
