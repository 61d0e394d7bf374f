package dev.keys.servlet;

import jakarta.servlet.http.HttpServletRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a request's API key is read from: an {@code Authorization: Bearer} header, headers that carry the key as
 * their whole value (default {@code X-API-Key}), and, off by default, a query parameter (query strings end up in
 * access logs). A request that carries more than one credential (two sources, or one header or parameter
 * repeated) is ambiguous and answered 400 {@code invalid_request}. Immutable and thread-safe.
 *
 * <p>The query parameter is read from the raw query string, never through {@code getParameter}, so that a form
 * body is not consumed on the way.
 */
public final class CredentialSources {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final CredentialSources DEFAULTS = builder().build();
    /** Returned by {@link #extract} for an ambiguous request; compared by identity. */
    static final String AMBIGUOUS = new String("<ambiguous>");

    /** Where a request's credential was read from; the filter can verify each source with its own verifier. */
    public enum Source {
        /** {@code Authorization: Bearer <credential>}. */
        BEARER,
        /** One of the configured headers that carry the credential as their whole value. */
        HEADER,
        /** The configured query parameter. */
        QUERY_PARAMETER
    }

    /** The one credential of a request and where it came from. Never logged: it holds the secret. */
    record Credential(String value, Source source) {
        /** Returned by {@link #extract} for an ambiguous request; compared by identity. */
        static final Credential AMBIGUOUS = new Credential("", Source.BEARER);

        @Override
        public String toString() {
            return "Credential[" + source + "]";
        }
    }

    private final boolean bearer;
    private final String[] headers;
    private final String queryParameter;

    private CredentialSources(Builder b) {
        this.bearer = b.bearer;
        this.headers = b.headers.toArray(String[]::new);
        this.queryParameter = b.queryParameter;
        if (!bearer && headers.length == 0 && queryParameter == null) throw new IllegalArgumentException("no credential source is configured");
    }

    /** {@code Authorization: Bearer} and {@code X-API-Key}; no query parameter. */
    public static CredentialSources defaults() {
        return DEFAULTS;
    }

    /** Starts from the defaults ({@code Authorization: Bearer} and {@code X-API-Key}). */
    public static Builder builder() {
        return new Builder();
    }

    public boolean bearer() {
        return bearer;
    }

    public List<String> headers() {
        return List.of(headers);
    }

    public Optional<String> queryParameter() {
        return Optional.ofNullable(queryParameter);
    }

    /** {@link #credential}'s value alone, or {@link #AMBIGUOUS}: for callers that verify every source alike. */
    String extract(HttpServletRequest request) {
        Credential c = credential(request);
        return c == null ? null : c == Credential.AMBIGUOUS ? AMBIGUOUS : c.value();
    }

    /**
     * The one credential of the request, {@code null} when there is none, or {@link Credential#AMBIGUOUS}. An empty
     * value (an empty header, {@code Bearer} with no token) counts as a credential: it was sent and is malformed.
     */
    Credential credential(HttpServletRequest request) {
        String found = null;
        Source from = null;
        // getHeader first: on the usual request, with one source or none, it answers an absent header without the
        // enumeration getHeaders allocates; a present one is still enumerated, since a repeat is ambiguous.
        if (bearer && request.getHeader("Authorization") != null) {
            Enumeration<String> values = request.getHeaders("Authorization");
            while (values != null && values.hasMoreElements()) {
                String token = bearerToken(values.nextElement());
                if (token == null) continue;
                if (found != null) return Credential.AMBIGUOUS;
                found = token;
                from = Source.BEARER;
            }
        }
        for (String name : headers) {
            if (request.getHeader(name) == null) continue;
            Enumeration<String> values = request.getHeaders(name);
            if (values == null || !values.hasMoreElements()) continue;
            if (found != null) return Credential.AMBIGUOUS;
            found = values.nextElement().strip();
            from = Source.HEADER;
            if (values.hasMoreElements()) return Credential.AMBIGUOUS;
        }
        if (queryParameter != null) {
            String q = request.getQueryString();
            if (q != null && !q.isEmpty()) {
                for (String v : queryValues(q, queryParameter)) {
                    if (found != null) return Credential.AMBIGUOUS;
                    found = v;
                    from = Source.QUERY_PARAMETER;
                }
            }
        }
        return found == null ? null : new Credential(found, from);
    }

    /**
     * Whether the request carries a credential in one of these sources (one, several, or an empty one): what
     * integrations test before the filter runs, e.g. whether verifying may touch the store and must leave an event loop.
     */
    public boolean carriesCredential(HttpServletRequest request) {
        return extract(request) != null;
    }

    /** The token of a {@code Bearer} authorization, or null for another scheme. */
    static String bearerToken(String authorization) {
        String a = authorization.strip();
        if (a.length() < 6 || !a.regionMatches(true, 0, "Bearer", 0, 6)) return null;
        if (a.length() == 6) return "";
        if (a.charAt(6) != ' ') return null;
        return a.substring(7).strip();
    }

    static boolean isBearer(String authorization) {
        return bearerToken(authorization) != null;
    }

    /** Values of {@code name} in a raw query string, percent-decoded. */
    static List<String> queryValues(String query, String name) {
        List<String> out = new ArrayList<>(1);
        for (FormData.Pair p : FormData.parseLenient(query)) if (p.name().equals(name)) out.add(p.value());
        return out;
    }

    /** The query string without any {@code name} parameter, or null when nothing is left. */
    static String stripQuery(String query, String name) {
        if (query == null) return null;
        StringBuilder sb = new StringBuilder(query.length());
        for (FormData.Pair p : FormData.parseLenient(query)) {
            if (p.name().equals(name)) continue;
            if (sb.length() > 0) sb.append('&');
            sb.append(p.raw());
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** True for a header this configuration reads a credential from (Authorization only for Bearer). */
    boolean isCredentialHeader(String name) {
        for (String h : headers) if (h.equalsIgnoreCase(name)) return true;
        return false;
    }

    @Override
    public String toString() {
        return "CredentialSources[bearer=" + bearer + ", headers=" + List.of(headers) + ", queryParameter=" + queryParameter + "]";
    }

    /** Configuration of {@link CredentialSources}. */
    public static final class Builder {
        private boolean bearer = true;
        private final List<String> headers = new ArrayList<>(List.of("X-API-Key"));
        private String queryParameter;

        private Builder() {
        }

        /** Read {@code Authorization: Bearer <key>}. Default on. */
        public Builder bearer(boolean on) { bearer = on; return this; }

        /** The headers that carry the key as their whole value, replacing the default {@code X-API-Key}; none is allowed. */
        public Builder headers(String... names) {
            headers.clear();
            for (String n : names) {
                Objects.requireNonNull(n, "header name");
                if (!TOKEN.matcher(n).matches() || n.equalsIgnoreCase("Authorization")) {
                    throw new IllegalArgumentException("not a usable header name: " + n);
                }
                if (headers.stream().noneMatch(n::equalsIgnoreCase)) headers.add(n);
            }
            return this;
        }

        /** Also read the key from this query parameter (off by default: query strings are logged by proxies). */
        public Builder queryParameter(String name) {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("query parameter name must not be blank");
            queryParameter = name;
            return this;
        }

        /** Do not read the query string (the default). */
        public Builder noQueryParameter() { queryParameter = null; return this; }

        public CredentialSources build() {
            return new CredentialSources(this);
        }
    }
}
