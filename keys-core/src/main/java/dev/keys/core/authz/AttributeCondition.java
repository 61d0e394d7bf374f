package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.RequestContext;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request attribute ({@link RequestContext#attributes()}) or key attribute ({@link ApiKey#meta()}) equals a value
 * or is one of a set. A missing attribute fails. Names and values are compared exactly (case-sensitive).
 */
final class AttributeCondition implements Condition {

    /** Where the attribute is read. */
    enum Source { REQUEST, KEY }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Source source;
    private final String name;
    private final String single;
    private final Set<String> values;
    private final String description;

    private AttributeCondition(Source source, String name, Set<String> values) {
        this.source = source;
        this.name = name;
        this.values = Set.copyOf(values);
        this.single = values.size() == 1 ? values.iterator().next() : null;
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
        Map<String, String> m = source == Source.REQUEST ? request.attributes() : key.meta();
        String v = m.get(name);
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
