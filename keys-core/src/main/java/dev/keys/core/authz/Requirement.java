package dev.keys.core.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a route asks of a key: a permission query and conditions. Text form: {@code QUERY [CONDITION] [CONDITION]},
 * e.g. {@code keys:admin [ip 10.0.0.0/8] [env live]}; see {@link Condition} for the condition syntax.
 *
 * <p>{@link #UNMATCHED} is the requirement of a request that no route allows: nothing meets it. A verifier still
 * authenticates the credential (so a bad one answers 401 as anywhere else) and checks the key's own conditions,
 * then answers {@code FORBIDDEN} ("no route allows this request") before any limit is touched.
 *
 * @param unmatched true only for {@link #UNMATCHED}, which has no query and no condition
 */
public record Requirement(PermissionQuery query, List<Condition> conditions, boolean unmatched) {

    /** No permission and no condition. */
    public static final Requirement NONE = new Requirement(PermissionQuery.NONE, List.of());

    /** For a request no route allows: denied {@code FORBIDDEN} once the key is authenticated. No text form. */
    public static final Requirement UNMATCHED = new Requirement(PermissionQuery.NONE, List.of(), true);

    public Requirement {
        Objects.requireNonNull(query, "query");
        conditions = List.copyOf(conditions);
        if (unmatched && (query != PermissionQuery.NONE || !conditions.isEmpty())) {
            throw new IllegalArgumentException("the unmatched requirement has no query and no condition");
        }
    }

    public Requirement(PermissionQuery query, List<Condition> conditions) {
        this(query, conditions, false);
    }

    public static Requirement of(PermissionQuery query, Condition... conditions) {
        return new Requirement(query, List.of(conditions));
    }

    /**
     * Parses the text form. An empty query part means {@link PermissionQuery#NONE}.
     *
     * @throws QuerySyntaxException when the query does not parse, with the position in {@code text}
     * @throws IllegalArgumentException when a condition does not parse, naming it
     */
    public static Requirement parse(String text) {
        int bracket = text.indexOf('[');
        String q = bracket < 0 ? text : text.substring(0, bracket);
        PermissionQuery query;
        if (q.isBlank()) {
            query = PermissionQuery.NONE;
        } else {
            query = PermissionQuery.parse(q);
        }
        List<Condition> conditions = new ArrayList<>();
        int i = bracket;
        while (i >= 0 && i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c != '[') throw new IllegalArgumentException("expected '[' at position " + i + " to start a condition, found '" + c + "'");
            int close = text.indexOf(']', i);
            if (close < 0) throw new IllegalArgumentException("condition at position " + i + " is not closed with ']'");
            String body = text.substring(i + 1, close);
            if (body.indexOf('[') >= 0) throw new IllegalArgumentException("condition at position " + i + " is not closed with ']'");
            try {
                conditions.add(Condition.parse(body));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("condition at position " + i + ": " + e.getMessage(), e);
            }
            i = close + 1;
        }
        return new Requirement(query, conditions);
    }

    /** The text form; parses back to an equivalent requirement ({@link #UNMATCHED} has none and says so). */
    @Override
    public String toString() {
        if (unmatched) return "<no route allows this request>";
        StringBuilder sb = new StringBuilder(query.toString());
        for (Condition c : conditions) sb.append(" [").append(c.describe()).append(']');
        return sb.toString();
    }
}
