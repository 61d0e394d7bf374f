package dev.keys.servlet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.core.Keys;
import dev.keys.core.authz.TrustedProxies;
import dev.keys.core.verify.CredentialVerifier;
import dev.keys.core.verify.Verifier;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a filter's configuration from init-params and an optional JSON policy file. The file is applied first,
 * then each init-param given overrides it. Errors name the parameter or the JSON field.
 */
final class FilterConfigReader {
    private static final JsonFields FIELDS = JsonFields.FILE;
    private static final Set<String> AUTHZ_FIELDS = Set.of("routes", "unmatched", "caseInsensitive", "trustedProxies");
    private static final Set<String> ALL_FIELDS = Set.of("realm", "credentials", "opaque", "hideCredentials", "storeRetryAfter",
            "routes", "unmatched", "caseInsensitive", "trustedProxies");
    private static final Set<String> CREDENTIAL_FIELDS = Set.of("bearer", "headers", "queryParameter");

    private FilterConfigReader() {
    }

    static ApiKeyFilter.Settings read(FilterConfig config) throws ServletException {
        ServletContext ctx = config.getServletContext();
        ApiKeyFilter.Builder b = ApiKeyFilter.builder(verifier(ctx, param(config, "keys-attribute")));
        String jwtAttr = param(config, "jwt-attribute");
        Object jwt = ctx.getAttribute(jwtAttr == null ? ApiKeyFilter.DEFAULT_JWT_ATTRIBUTE : jwtAttr);
        if (jwt instanceof CredentialVerifier j) b.jwt(j);
        else if (jwtAttr != null) throw new ServletException("servlet-context attribute " + jwtAttr + " (init-param jwt-attribute) must hold a "
                + "dev.keys.core.verify.CredentialVerifier (such as dev.keys.jwt.JwtVerifier), found " + (jwt == null ? "nothing" : jwt.getClass().getName()));
        String policy = param(config, "policy");
        if (policy != null) {
            try (InputStream in = open(ctx, policy)) {
                apply(PolicyLoader.JSON.readTree(in), b);
            } catch (IOException e) {
                throw new ServletException("policy " + policy + ": cannot be read (" + e.getClass().getSimpleName() + ")");
            } catch (IllegalArgumentException e) {
                throw new ServletException("policy " + policy + ": " + e.getMessage());
            }
        }
        try {
            String realm = param(config, "realm");
            if (realm != null) b.realm(realm);
            String opaque = param(config, "opaque");
            if (opaque != null) b.opaque(bool("opaque", opaque));
            String hide = param(config, "hide-credentials");
            if (hide != null) b.hideCredentials(bool("hide-credentials", hide));
            String proxies = param(config, "trusted-proxies");
            if (proxies != null) {
                try {
                    b.trustedProxies(TrustedProxies.of(splitList(proxies)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("trusted-proxies: " + e.getMessage());
                }
            }
            String retry = param(config, "store-retry-after");
            if (retry != null) b.storeRetryAfter(duration("store-retry-after", retry));
            String bearer = param(config, "bearer"), headers = param(config, "headers"), query = param(config, "query-parameter");
            if (bearer != null || headers != null || query != null) {
                CredentialSources current = b.settings().sources();
                CredentialSources.Builder cs = CredentialSources.builder()
                        .bearer(bearer != null ? bool("bearer", bearer) : current.bearer());
                List<String> names = headers == null ? current.headers() : splitList(headers);
                cs.headers(names.toArray(String[]::new));
                String q = query != null ? query.strip() : current.queryParameter().orElse("");
                if (!q.isEmpty()) cs.queryParameter(q);
                b.credentials(cs.build());
            }
        } catch (IllegalArgumentException e) {
            throw new ServletException("ApiKeyFilter init-param " + e.getMessage());
        }
        return b.settings();
    }

    static String param(FilterConfig c, String name) {
        String v = c.getInitParameter(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** The verifier in the context attribute {@code name} (default {@value ApiKeyFilter#DEFAULT_KEYS_ATTRIBUTE}). */
    static Verifier verifier(ServletContext ctx, String name) throws ServletException {
        String attr = name == null ? ApiKeyFilter.DEFAULT_KEYS_ATTRIBUTE : name;
        Object o = ctx.getAttribute(attr);
        if (o instanceof Keys k) return k.verifier();
        if (o instanceof Verifier v) return v;
        throw new ServletException("servlet-context attribute " + attr + " must hold a dev.keys.core.Keys or a Verifier, found "
                + (o == null ? "nothing" : o.getClass().getName()));
    }

    /** {@code classpath:x} from the class path, a path of the web application, or else a file. */
    static InputStream open(ServletContext ctx, String location) throws IOException {
        if (location.startsWith("classpath:")) {
            String r = location.substring("classpath:".length());
            InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(r.startsWith("/") ? r.substring(1) : r);
            if (in == null) throw new java.io.FileNotFoundException(location);
            return in;
        }
        if (location.startsWith("/") && ctx != null) {
            InputStream in = ctx.getResourceAsStream(location);
            if (in != null) return in;
        }
        return Files.newInputStream(Path.of(location));
    }

    /** Applies a policy document to a builder. @throws IllegalArgumentException naming the field */
    static void apply(JsonNode root, ApiKeyFilter.Builder b) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException("the policy must be a JSON object");
        if (root.has("roles")) throw new IllegalArgumentException("roles: define roles on the verifier (Verifier.Builder.roles), not in the filter's policy");
        FIELDS.only(root, "", ALL_FIELDS);
        ObjectNode authz = ((ObjectNode) root).objectNode();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (AUTHZ_FIELDS.contains(e.getKey())) authz.set(e.getKey(), e.getValue());
        }
        if (!authz.isEmpty()) {
            try {
                b.policy(PolicyLoader.loadJson(authz.toString()));
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new IllegalArgumentException(m.startsWith("policy: ") ? m.substring("policy: ".length()) : m);
            }
        }
        if (root.has("realm")) b.realm(FIELDS.text(root.get("realm"), "realm"));
        if (root.has("opaque")) b.opaque(FIELDS.bool(root.get("opaque"), "opaque"));
        if (root.has("hideCredentials")) b.hideCredentials(FIELDS.bool(root.get("hideCredentials"), "hideCredentials"));
        if (root.has("storeRetryAfter")) b.storeRetryAfter(duration("storeRetryAfter", FIELDS.text(root.get("storeRetryAfter"), "storeRetryAfter")));
        if (root.has("credentials")) {
            JsonNode c = FIELDS.object(root.get("credentials"), "credentials");
            FIELDS.only(c, "credentials.", CREDENTIAL_FIELDS);
            CredentialSources.Builder cs = CredentialSources.builder();
            if (c.has("bearer")) cs.bearer(FIELDS.bool(c.get("bearer"), "credentials.bearer"));
            if (c.has("headers")) {
                List<String> names = FIELDS.strings(c.get("headers"), "credentials.headers", "must be an array of header names");
                try {
                    cs.headers(names.toArray(String[]::new));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("credentials.headers: " + e.getMessage());
                }
            }
            if (c.has("queryParameter") && !c.get("queryParameter").isNull()) cs.queryParameter(FIELDS.text(c.get("queryParameter"), "credentials.queryParameter"));
            try {
                b.credentials(cs.build());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("credentials: " + e.getMessage());
            }
        }
    }

    /** Reads a policy file into a builder. */
    static void apply(Path file, ApiKeyFilter.Builder b) {
        try (InputStream in = Files.newInputStream(file)) {
            apply(PolicyLoader.JSON.readTree(in), b);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("policy " + file + ": not valid JSON at line " + e.getLocation().getLineNr());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("policy " + file + " cannot be read", e);
        }
    }

    static boolean bool(String name, String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException(name + ": must be true or false");
    }

    /** An ISO-8601 duration, or a whole number of seconds. */
    static Duration duration(String name, String v) {
        try {
            if (v.chars().allMatch(Character::isDigit)) return Duration.ofSeconds(Long.parseLong(v));
            return Duration.parse(v);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not an ISO-8601 duration");
        }
    }

    static List<String> splitList(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) if (!s.isBlank()) out.add(s.strip());
        return out;
    }
}
