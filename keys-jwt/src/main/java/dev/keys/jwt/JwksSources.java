package dev.keys.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;

import java.net.InetAddress;
import java.net.URL;
import java.net.UnknownHostException;
import java.util.function.Supplier;

/**
 * Where a verifier's keys come from: a fixed set, a set read live (this process's own keyring), a JWKS URL, or any
 * Nimbus source. A URL is fetched with bounded size and time, cached, refetched on an unknown {@code kid} at most
 * once per interval, and never retried or served stale past its cache: a set that cannot be fetched answers
 * {@code STORE_UNAVAILABLE} (fail closed). Keys never come from a URL a token names.
 */
final class JwksSources {
    private JwksSources() {
    }

    /** The one source a builder names; the builder has checked that there is exactly one. */
    static JWKSource<SecurityContext> of(JwtVerifier.Builder b) {
        if (b.jwkSource != null) return b.jwkSource;
        if (b.jwkSet != null) {
            JWKSet set = b.jwkSet;
            return live(() -> set);
        }
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(
                (int) b.connectTimeout.toMillis(), (int) b.readTimeout.toMillis(), b.jwksSizeLimit);
        return JWKSourceBuilder.<SecurityContext>create(b.jwksUrl, retriever)
                .cache(b.jwksCacheTtl.toMillis(), b.readTimeout.plus(b.connectTimeout).toMillis())
                .rateLimited(b.jwksRefreshMinInterval.toMillis())
                .refreshAheadCache(false)
                .retrying(false)
                .outageTolerant(false)
                .build();
    }

    /** The set {@code keys} answers at each lookup, so that a rotation applies at once. */
    static JWKSource<SecurityContext> live(Supplier<JWKSet> keys) {
        return (selector, ctx) -> selector.select(keys.get());
    }

    /**
     * A fixed verification set: public keys only (or HMAC secrets only, never both kinds), each naming its
     * {@code alg}.
     *
     * @throws IllegalArgumentException otherwise
     */
    static JWKSet requireVerificationSet(JWKSet set) {
        boolean symmetric = false, asymmetric = false;
        for (JWK k : set.getKeys()) {
            if (k.getAlgorithm() == null) throw new IllegalArgumentException("key " + k.getKeyID() + " does not name its alg");
            if (k instanceof OctetSequenceKey) symmetric = true;
            else if (k.isPrivate()) throw new IllegalArgumentException("a verification key set must hold public keys only (key " + k.getKeyID() + ")");
            else asymmetric = true;
        }
        if (symmetric && asymmetric) throw new IllegalArgumentException("a verification key set must not mix HMAC secrets and public keys");
        return set;
    }

    /**
     * A JWKS URL: {@code https}, or {@code http} to a loopback address only (for tests).
     *
     * @throws IllegalArgumentException otherwise
     */
    static URL requireSafeUrl(URL url) {
        String scheme = url.getProtocol();
        if (!"https".equals(scheme) && !("http".equals(scheme) && loopback(url.getHost())))
            throw new IllegalArgumentException("the JWKS URL must use https (http only to a loopback address)");
        return url;
    }

    // A literal address or "localhost" only: a name that merely resolves to loopback today could be rebound.
    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress() && (host.equals("localhost") || Character.isDigit(host.charAt(0)) || host.startsWith("["));
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
