package dev.keys.jwt.servlet;

import com.nimbusds.jose.util.JSONObjectUtils;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code GET /.well-known/oauth-authorization-server}: the RFC 8414 metadata of this process's client-credentials
 * issuer, so that clients such as oauth4webapi and openid-client find the token endpoint and the keys by discovery
 * (docs/contract.md §5). It says what {@code TokenEndpointServlet} does: the grant {@code client_credentials}, the
 * client authentication methods {@code client_secret_basic} and {@code client_secret_post}, no response types (there
 * is no authorization endpoint). The document is built once; the issuer is an {@code https} or {@code http} URL with
 * no query or fragment (RFC 8414 §2) and must be the {@code iss} of the tokens ({@code TokenService.Builder.issuer}),
 * since clients compare the two.
 *
 * <p>Mount it at {@link #path()}: {@code /.well-known/oauth-authorization-server}, followed by the issuer's path when
 * it has one (RFC 8414 §3.1: issuer {@code https://h/tenant} is described at
 * {@code https://h/.well-known/oauth-authorization-server/tenant}).
 */
public final class AuthorizationServerMetadataServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** The well-known path of RFC 8414 §3, before any issuer path. */
    public static final String WELL_KNOWN = "/.well-known/oauth-authorization-server";

    private final byte[] body;
    private final String cacheControl;
    private final String path;

    private AuthorizationServerMetadataServlet(Builder b) {
        String base = b.issuer.toString().replaceAll("/+$", "");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", b.issuer.toString());
        m.put("token_endpoint", b.tokenEndpoint.orElse(URI.create(base + "/oauth/token")).toString());
        m.put("jwks_uri", b.jwksUri.orElse(URI.create(base + "/.well-known/jwks.json")).toString());
        m.put("grant_types_supported", List.of("client_credentials"));
        m.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        m.put("response_types_supported", List.of());
        if (!b.scopes.isEmpty()) m.put("scopes_supported", new ArrayList<>(b.scopes));
        b.serviceDocumentation.ifPresent(u -> m.put("service_documentation", u.toString()));
        this.body = JSONObjectUtils.toJSONString(m).getBytes(StandardCharsets.UTF_8);
        this.cacheControl = "public, max-age=" + b.maxAge.getSeconds();
        String issuerPath = b.issuer.getRawPath() == null ? "" : b.issuer.getRawPath().replaceAll("/+$", "");
        this.path = WELL_KNOWN + issuerPath;
    }

    /**
     * Metadata for the issuer {@code issuer}; the token endpoint and key set default to {@code <issuer>/oauth/token}
     * and {@code <issuer>/.well-known/jwks.json}.
     *
     * @throws IllegalArgumentException when the issuer is not an http(s) URL without query and fragment
     */
    public static Builder builder(String issuer) {
        return new Builder(issuerUrl(issuer));
    }

    /** Where to mount this servlet, relative to the host (see the class comment). */
    public String path() {
        return path;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        PublicDocument.serve(req, res, body, cacheControl);
    }

    private static URI issuerUrl(String issuer) {
        Objects.requireNonNull(issuer, "issuer");
        URI u;
        try {
            u = new URI(issuer);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the issuer must be an http or https URL: " + e.getReason());
        }
        return httpUrl(u, "the issuer");
    }

    private static URI httpUrl(URI u, String what) {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || u.getHost() == null || u.getRawQuery() != null
                || u.getRawFragment() != null || u.getRawUserInfo() != null) {
            throw new IllegalArgumentException(what + " must be an http or https URL with a host and no query, fragment or user info");
        }
        return u;
    }

    /** Configuration of an {@link AuthorizationServerMetadataServlet}. */
    public static final class Builder {
        private final URI issuer;
        private Optional<URI> tokenEndpoint = Optional.empty(), jwksUri = Optional.empty(), serviceDocumentation = Optional.empty();
        private final TreeSet<String> scopes = new TreeSet<>();
        private Duration maxAge = Duration.ofHours(1);

        private Builder(URI issuer) {
            this.issuer = issuer;
        }

        /** Where {@code TokenEndpointServlet} is mounted, when not at {@code <issuer>/oauth/token}. */
        public Builder tokenEndpoint(URI u) { tokenEndpoint = Optional.of(httpUrl(u, "the token endpoint")); return this; }

        /** Where {@code JwksServlet} is mounted, when not at {@code <issuer>/.well-known/jwks.json}. */
        public Builder jwksUri(URI u) { jwksUri = Optional.of(httpUrl(u, "the JWKS URI")); return this; }

        /** Permissions a client may ask for as {@code scope}, published as {@code scopes_supported}. Default none listed. */
        public Builder scopes(Iterable<String> s) {
            for (String scope : s) scopes.add(Objects.requireNonNull(scope, "scope"));
            return this;
        }

        /** A page for developers, published as {@code service_documentation}. */
        public Builder serviceDocumentation(URI u) { serviceDocumentation = Optional.of(httpUrl(u, "the service documentation")); return this; }

        /** {@code Cache-Control: public, max-age}. Default 1 hour. */
        public Builder maxAge(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("maxAge must not be negative");
            maxAge = d;
            return this;
        }

        public AuthorizationServerMetadataServlet build() {
            return new AuthorizationServerMetadataServlet(this);
        }
    }
}
