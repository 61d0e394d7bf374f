package dev.keys.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static dev.keys.jwt.JwtVerifier.AMBIGUOUS_KEY;
import static dev.keys.jwt.JwtVerifier.KEYS_UNAVAILABLE;
import static dev.keys.jwt.JwtVerifier.UNKNOWN_KEY;

/**
 * Which keys may check a token's signature: those of its {@code kid} (or, without one, of its algorithm, at most
 * {@value #MAX_KEYS_WITHOUT_KID}), each {@linkplain #usable usable} for the header's algorithm. A key is used for
 * the one algorithm its own {@code alg} names, so an HMAC header can never be checked with the bytes of a public
 * key (key confusion). Thread-safe when its source is.
 */
final class KeySelector {
    private static final int MAX_KEYS_WITHOUT_KID = 4;

    private final JWKSource<SecurityContext> source;

    KeySelector(JWKSource<SecurityContext> source) {
        this.source = source;
    }

    /** The candidate keys, or why there are none: unknown, ambiguous, or the source unreachable. */
    Checked<List<JWK>> select(HeaderPolicy.Header header) {
        JWSAlgorithm alg = header.algorithm();
        String kid = header.jws().getKeyID();
        List<JWK> found;
        try {
            JWKMatcher matcher = kid != null ? new JWKMatcher.Builder().keyID(kid).build() : new JWKMatcher.Builder().algorithm(alg).build();
            found = source.get(new JWKSelector(matcher), null);
        } catch (RateLimitReachedException e) {
            return Checked.refused(UNKNOWN_KEY); // an unknown kid already caused its one refetch this interval
        } catch (KeySourceException e) {
            return Checked.refused(KEYS_UNAVAILABLE);
        }
        List<JWK> usable = new ArrayList<>(2);
        for (JWK k : found) {
            if (usable(k, alg)) usable.add(k);
        }
        if (usable.isEmpty()) return Checked.refused(UNKNOWN_KEY);
        if (kid != null && usable.size() > 1) return Checked.refused(AMBIGUOUS_KEY);
        return Checked.passed(usable.size() > MAX_KEYS_WITHOUT_KID ? usable.subList(0, MAX_KEYS_WITHOUT_KID) : usable);
    }

    /**
     * Whether {@code key} may verify a signature of algorithm {@code alg}: the key names exactly that algorithm,
     * is for signatures, is public (or an HMAC secret) of the matching type and curve, and is strong enough.
     */
    static boolean usable(JWK key, JWSAlgorithm alg) {
        if (key.getAlgorithm() == null || !key.getAlgorithm().getName().equals(alg.getName())) return false;
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) return false;
        if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) return false;
        String name = alg.getName();
        try {
            if (name.startsWith("HS")) {
                return key instanceof OctetSequenceKey k && k.toByteArray().length >= Integer.parseInt(name.substring(2)) / 8;
            }
            if (name.startsWith("RS") || name.startsWith("PS")) {
                if (!(key instanceof RSAKey k) || k.isPrivate()) return false;
                BigInteger e = k.getPublicExponent().decodeToBigInteger(), n = k.getModulus().decodeToBigInteger();
                return n.bitLength() >= 2048 && e.compareTo(BigInteger.ONE) > 0 && e.testBit(0) && !Roca.fingerprinted(n);
            }
            if (name.startsWith("ES")) {
                if (!(key instanceof ECKey k) || k.isPrivate()) return false;
                Curve expected = switch (name) {
                    case "ES256" -> Curve.P_256;
                    case "ES384" -> Curve.P_384;
                    case "ES512" -> Curve.P_521;
                    default -> null;
                };
                return expected != null && expected.equals(k.getCurve());
            }
            if (name.equals("EdDSA") || name.equals("Ed25519")) {
                return key instanceof OctetKeyPair k && !k.isPrivate() && Curve.Ed25519.equals(k.getCurve());
            }
        } catch (RuntimeException e) {
            return false;
        }
        return false;
    }
}
