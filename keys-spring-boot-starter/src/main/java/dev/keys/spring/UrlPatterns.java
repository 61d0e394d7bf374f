package dev.keys.spring;

import java.util.List;

/**
 * Servlet URL patterns (Jakarta Servlet 6.1 §12.2) matched against a path inside the application: {@code /api/*}
 * (the path {@code /api} and everything under it), {@code *.json} (by extension), {@code /} (everything) and exact
 * paths. The container maps the servlet filter by these rules itself; this copy scopes the same patterns where no
 * container maps them: inside Spring Security's chain and in WebFlux.
 */
record UrlPatterns(List<String> patterns) {
    UrlPatterns {
        patterns = List.copyOf(patterns);
        for (String p : patterns) {
            if (!(p.startsWith("/") || p.startsWith("*.") && p.indexOf('/') < 0)) {
                throw new IllegalArgumentException("not a servlet URL pattern (\"/path\", \"/path/*\" or \"*.ext\"): " + p);
            }
        }
    }

    boolean matches(String path) {
        for (String p : patterns) {
            if (matches(p, path)) return true;
        }
        return false;
    }

    private static boolean matches(String pattern, String path) {
        if (pattern.equals("/") || pattern.equals("/*")) return true;
        if (pattern.endsWith("/*")) {
            String base = pattern.substring(0, pattern.length() - 2);
            return path.equals(base) || path.startsWith(base) && path.charAt(base.length()) == '/';
        }
        if (pattern.startsWith("*.")) return path.substring(path.lastIndexOf('/') + 1).endsWith(pattern.substring(1));
        return path.equals(pattern);
    }
}
