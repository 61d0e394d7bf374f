/**
 * JWT bearer tokens next to API keys ({@code JwtVerifier}), and an OAuth 2.0 client-credentials issuer with its
 * token and JWKS endpoints.
 */
module dev.keys.jwt {
    requires transitive dev.keys.core;
    requires transitive dev.keys.servlet;
    requires transitive com.nimbusds.jose.jwt;
    requires org.bouncycastle.provider;
    requires com.github.benmanes.caffeine;

    exports dev.keys.jwt;
    exports dev.keys.jwt.oauth;
    exports dev.keys.jwt.servlet;
}
