package dev.keys.core.authz;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Routes in order, first match wins; an unmatched request is denied unless {@link Builder#allowUnmatched} is set.
 * Immutable and thread-safe.
 *
 * <p>Line syntax, one route per line, {@code #} starting a comment line:
 * <pre>
 * GET /documents/**        -> documents:read
 * POST /documents          -> documents:write AND (billing:read OR admin:*)
 * GET,POST /reports/{id}   -> reports:read [env live]
 * * /admin/**              -> keys:admin [ip 10.0.0.0/8] [env live]
 * GET /health              -> NONE
 * GET /search              -> search:read cost=5
 * </pre>
 * {@code METHODS} is {@code *} or a comma list of upper-case methods (case-sensitive, as HTTP is; a {@code GET} route
 * also covers {@code HEAD}). The requirement is a {@link PermissionQuery} (or {@code NONE}) followed by
 * {@link Condition}s in brackets, then optionally {@code cost=N}: the tokens a matching request takes from every rate
 * limit of its key (default 1), so that an expensive call can weigh more than a cheap one.
 *
 * <p>Paths go through {@link PathNormalizer} first; a path it rejects answers {@link RouteMatch.BadPath}. A trailing
 * slash is part of the path: {@code GET /api/hello} does not match {@code /api/hello/}, {@code /api/hello/**} does.
 * A path that ends in a dot segment ({@code /api/hello/.}, {@code /api/hello/x/..}) is matched as {@code /api/hello/};
 * since Tomcat reads it as {@code /api/hello}, it answers {@link RouteMatch.BadPath} when that reading would choose
 * another route. Matching
 * is case-sensitive by default, like servlet containers, so {@code /ADMIN} is not {@code /admin/**} and falls to a
 * later rule or to the default; when the application behind matches paths without regard to case, turn on
 * {@link Builder#caseInsensitive} so that the table folds case the same way.
 */
public final class RouteTable {
    private final Route[] routes;
    private final boolean allowUnmatched;
    private final boolean caseInsensitive;

    private RouteTable(List<Route> routes, boolean allowUnmatched, boolean caseInsensitive) {
        this.routes = routes.toArray(new Route[0]);
        this.allowUnmatched = allowUnmatched;
        this.caseInsensitive = caseInsensitive;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses routes, one per line (deny unmatched, case-sensitive).
     *
     * @throws IllegalArgumentException naming the line; a {@link QuerySyntaxException} for a query that does not parse
     */
    public static RouteTable parse(String text) {
        return builder().lines(text).build();
    }

    /** The first route matching the method and the normalised path, or why there is none. */
    public RouteMatch match(String method, String rawPath) {
        NormalizedPath n = PathNormalizer.normalize(rawPath);
        if (n instanceof NormalizedPath.Rejected r) return new RouteMatch.BadPath(r.reason());
        String path = ((NormalizedPath.Valid) n).path();
        if (caseInsensitive) path = fold(path);
        Route r = first(method, path);
        // Jetty resolves a last "." or ".." to a trailing slash ("/a/." is "/a/"), Tomcat 11 to none ("/a"): when
        // the two readings fall under different routes, the servlet that answers may be the one the chosen rule
        // does not guard, so neither reading decides.
        int last = path.length() - 1;
        if (last > 0 && path.charAt(last) == '/' && PathNormalizer.endsInDotSegment(rawPath) && first(method, path.substring(0, last)) != r)
            return new RouteMatch.BadPath("a path ending in '.' or '..' is read as \"" + path + "\" by some servlet containers and without"
                    + " the trailing slash by others, and the two fall under different routes");
        if (r != null) return r.matched;
        return allowUnmatched ? RouteMatch.NoMatch.ALLOWED : RouteMatch.NoMatch.DENIED;
    }

    private Route first(String method, String path) {
        for (Route r : routes) {
            if (r.matchesMethod(method) && r.matchesPath(path)) return r;
        }
        return null;
    }

    public List<Route> routes() {
        return List.of(routes);
    }

    public boolean allowUnmatched() {
        return allowUnmatched;
    }

    public boolean caseInsensitive() {
        return caseInsensitive;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Route r : routes) sb.append(r).append('\n');
        return sb.toString();
    }

    /**
     * Case folding that agrees with {@link String#equalsIgnoreCase}, character by character, so that e.g. the dotless
     * {@code ı} and the Kelvin sign fold as an application comparing that way would fold them.
     */
    static String fold(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.toLowerCase(Character.toUpperCase(c)) != c) {
                char[] cs = s.toCharArray();
                for (int j = i; j < cs.length; j++) cs[j] = Character.toLowerCase(Character.toUpperCase(cs[j]));
                return new String(cs);
            }
        }
        return s;
    }

    /** Collects routes in order. */
    public static final class Builder {
        private record Spec(Set<String> methods, String pattern, Requirement requirement, long cost) {
        }

        // Compiled in build(), so that caseInsensitive may be set after the routes.
        private final List<Spec> routes = new ArrayList<>();
        private boolean allowUnmatched, caseInsensitive;

        private Builder() {
        }

        /**
         * Adds one route in line syntax.
         *
         * @throws IllegalArgumentException naming what is wrong
         */
        public Builder route(String line) {
            routes.add(parseLine(line));
            return this;
        }

        /** Adds routes, one per line; blank lines and lines starting with {@code #} are skipped. */
        public Builder lines(String text) {
            String[] lines = text.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String l = lines[i].strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                try {
                    route(l);
                } catch (QuerySyntaxException e) {
                    throw new QuerySyntaxException("line " + (i + 1) + ", " + e.getMessage(), e.position());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
            return this;
        }

        /** Adds a route. {@code methods} is {@code *} or a comma list of methods. */
        public Builder route(String methods, String pattern, Requirement requirement) {
            return route(methods, pattern, requirement, 1);
        }

        /**
         * Adds a route whose requests take {@code cost} tokens from every rate limit of the key (a search that costs
         * five reads, say).
         *
         * @throws IllegalArgumentException if {@code cost} is less than 1
         */
        public Builder route(String methods, String pattern, Requirement requirement, long cost) {
            Objects.requireNonNull(requirement, "requirement");
            if (cost < 1) throw new IllegalArgumentException("cost must be at least 1");
            routes.add(new Spec(parseMethods(methods), checkPattern(pattern), requirement, cost));
            return this;
        }

        /** Lets requests that match no route through, with {@link Requirement#NONE}. Off by default: deny. */
        public Builder allowUnmatched(boolean allow) {
            this.allowUnmatched = allow;
            return this;
        }

        /** Folds case of patterns and paths, for applications that match paths without regard to case. */
        public Builder caseInsensitive(boolean fold) {
            this.caseInsensitive = fold;
            return this;
        }

        public RouteTable build() {
            List<Route> out = new ArrayList<>();
            for (Spec r : routes) out.add(new Route(r.methods, r.pattern, r.requirement, r.cost, caseInsensitive));
            return new RouteTable(out, allowUnmatched, caseInsensitive);
        }

        private static Spec parseLine(String line) {
            int arrow = line.indexOf("->");
            if (arrow < 0) throw new IllegalArgumentException("expected 'METHOD pattern -> query [condition]...', found no '->'");
            String[] left = line.substring(0, arrow).strip().split("\\s+");
            if (left.length != 2 || left[0].isEmpty())
                throw new IllegalArgumentException("expected METHOD and path pattern before '->', found \"" + line.substring(0, arrow).strip() + "\"");
            Set<String> methods = parseMethods(left[0]);
            String pattern = checkPattern(left[1]);
            String rest = line.substring(arrow + 2);
            int at = costAt(rest);
            long cost = 1;
            if (at >= 0) {
                int end = at;
                while (end < rest.length() && !Character.isWhitespace(rest.charAt(end)) && rest.charAt(end) != '[') end++;
                cost = parseCost(rest.substring(at + COST.length(), end), arrow + 2 + at);
                int again = costAt(rest.substring(end));
                if (again >= 0) throw new QuerySyntaxException("cost is given twice at position " + (arrow + 2 + end + again), arrow + 2 + end + again);
                rest = rest.substring(0, at) + rest.substring(end);
            }
            String req = rest.strip();
            Requirement requirement;
            try {
                requirement = Requirement.parse(req);
            } catch (QuerySyntaxException e) {
                String q = req.indexOf('[') < 0 ? req : req.substring(0, req.indexOf('[')).strip();
                throw new QuerySyntaxException("in query \"" + q + "\": " + e.getMessage(), e.position());
            }
            return new Spec(methods, pattern, requirement, cost);
        }

        private static final String COST = "cost=";

        /** Where a word {@code cost=} starts outside the conditions' brackets, or -1. */
        private static int costAt(String text) {
            int depth = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '[') depth++;
                else if (c == ']') depth = Math.max(0, depth - 1);
                else if (depth == 0 && text.startsWith(COST, i) && (i == 0 || Character.isWhitespace(text.charAt(i - 1)))) return i;
            }
            return -1;
        }

        private static long parseCost(String digits, int position) {
            // Digits only, so no sign and no overflow; 18 of them stay below Long.MAX_VALUE.
            if (digits.matches("[0-9]{1,18}") && Long.parseLong(digits) >= 1) return Long.parseLong(digits);
            throw new QuerySyntaxException("cost must be a whole number from 1 to 999999999999999999, found \"" + digits + "\" at position " + position, position);
        }

        private static Set<String> parseMethods(String text) {
            Set<String> out = new LinkedHashSet<>();
            for (String m : text.split(",", -1)) {
                if (m.equals("*")) {
                    out.add(m);
                } else if (m.matches("[A-Z]+")) {
                    out.add(m);
                } else if (m.matches("[A-Za-z]+")) {
                    throw new IllegalArgumentException("method \"" + m + "\" must be upper case (HTTP methods are case-sensitive)");
                } else {
                    throw new IllegalArgumentException("invalid method \"" + m + "\": expected '*' or upper-case letters, comma-separated");
                }
            }
            if (out.contains("*") && out.size() > 1) throw new IllegalArgumentException("method '*' cannot be combined with others");
            return out;
        }

        private static String checkPattern(String pattern) {
            Objects.requireNonNull(pattern, "pattern");
            NormalizedPath n = PathNormalizer.normalize(pattern);
            if (n instanceof NormalizedPath.Rejected r) throw new IllegalArgumentException("invalid pattern \"" + pattern + "\": " + r.reason());
            String norm = ((NormalizedPath.Valid) n).path();
            if (!norm.equals(pattern))
                throw new IllegalArgumentException("pattern \"" + pattern + "\" is not in normalised form; write \"" + norm + "\"");
            Route.check(pattern);
            return pattern;
        }
    }
}
