package dev.keys.core.authz;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One rule of a {@link RouteTable}: methods, a path pattern, a {@link Requirement} and the cost a matching request
 * takes from every rate limit (1 unless the line says {@code cost=N}). Immutable.
 *
 * <p>Pattern segments: a literal, {@code *} (exactly one non-empty segment), {@code {name}} (one non-empty segment,
 * named for the reader), or {@code **} as the last segment (any rest, including none: {@code /admin/**} matches
 * {@code /admin}, {@code /admin/} and {@code /admin/x}). Patterns are written in normalised form (decoded, no
 * {@code .}, {@code ..}, repeated slash or {@code ;}). A trailing slash is part of the path: {@code /api/hello}
 * matches neither {@code /api/hello/} nor {@code /api/hello/.}, and a pattern {@code /api/hello/} matches only
 * {@code /api/hello/}.
 */
public final class Route {
    private static final byte LITERAL = 0, ONE = 1, REST = 2;

    private final Set<String> methods;
    private final String[] methodArray;
    private final boolean getMatchesHead;
    private final String pattern;
    private final Requirement requirement;
    private final long cost;
    private final byte[] kinds;
    private final String[] literals;
    final RouteMatch.Matched matched = new RouteMatch.Matched(this);

    Route(Set<String> methods, String pattern, Requirement requirement, long cost, boolean foldCase) {
        this.methods = Set.copyOf(methods);
        this.methodArray = methods.contains("*") ? null : methods.toArray(new String[0]);
        this.getMatchesHead = methods.contains("GET");
        this.pattern = pattern;
        this.requirement = requirement;
        this.cost = cost;
        String[] segs = segments(pattern);
        kinds = kinds(pattern, segs);
        literals = new String[segs.length];
        for (int i = 0; i < segs.length; i++) {
            if (kinds[i] == LITERAL) literals[i] = foldCase ? RouteTable.fold(segs[i]) : segs[i];
        }
    }

    private static String[] segments(String pattern) {
        return pattern.equals("/") ? new String[0] : pattern.substring(1).split("/", -1);
    }

    /** Checks the segments of a (normalised) pattern. */
    static void check(String pattern) {
        kinds(pattern, segments(pattern));
    }

    private static byte[] kinds(String pattern, String[] segs) {
        byte[] kinds = new byte[segs.length];
        for (int i = 0; i < segs.length; i++) {
            String s = segs[i];
            if (s.equals("**")) {
                if (i != segs.length - 1) throw new IllegalArgumentException("pattern \"" + pattern + "\": '**' must be the last segment");
                kinds[i] = REST;
            } else if (s.equals("*") || s.matches("\\{[A-Za-z0-9_]+}")) {
                kinds[i] = ONE;
            } else if (s.indexOf('*') >= 0 || s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
                throw new IllegalArgumentException("pattern \"" + pattern + "\": '*', '**' and '{name}' must be whole segments");
            } else {
                kinds[i] = LITERAL;
            }
        }
        return kinds;
    }

    /** Methods this route applies to; {@code *} for any. A {@code GET} route also applies to {@code HEAD}. */
    public Set<String> methods() {
        return methods;
    }

    public String pattern() {
        return pattern;
    }

    public Requirement requirement() {
        return requirement;
    }

    /** Tokens a matching request takes from every bandwidth of its key, at least 1. */
    public long cost() {
        return cost;
    }

    boolean matchesMethod(String method) {
        String[] ms = methodArray;
        if (ms == null) return true;
        for (String m : ms) if (m.equals(method)) return true;
        // HttpServlet serves HEAD by running doGet: a GET rule must cover it, or HEAD would slip to a weaker rule.
        return getMatchesHead && method.equals("HEAD");
    }

    /** Whether the normalised {@code path} matches; walks the string in place, allocating nothing. */
    boolean matchesPath(String path) {
        int len = path.length();
        int pos = len == 1 ? 2 : 1; // pos > len: no segment left ("/" has none)
        for (int k = 0; k < kinds.length; k++) {
            if (kinds[k] == REST) return true;
            if (pos > len) return false;
            int end = path.indexOf('/', pos);
            if (end < 0) end = len;
            if (kinds[k] == LITERAL) {
                String lit = literals[k];
                if (end - pos != lit.length() || !path.regionMatches(pos, lit, 0, lit.length())) return false;
            } else if (end == pos) {
                return false; // the empty segment after a trailing slash is no "*" or "{id}": /api/* is not /api/
            }
            pos = end + 1;
        }
        return pos > len;
    }

    /** The route in line form: {@code METHODS PATTERN -> REQUIREMENT}, then {@code cost=N} when not 1. */
    @Override
    public String toString() {
        return String.join(",", new LinkedHashSet<>(methodArray == null ? List.of("*") : List.of(methodArray))) + " " + pattern + " -> " + requirement
                + (cost == 1 ? "" : " cost=" + cost);
    }
}
