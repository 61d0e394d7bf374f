package dev.keys.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.keys.jwt.JwtVerifier.SIGNATURE;

/**
 * The signature check of every JWS. One Nimbus verifier per key, kept while the key is (weak keys, bounded), so
 * that a key set read live does not rebuild them on every new token. ECDSA signatures must be exactly
 * {@code 2 × size} bytes with {@code 0 < r, s < n} before the provider runs. Thread-safe.
 */
final class Signatures {
    private final Cache<JWK, Optional<JWSVerifier>> verifiers = Caffeine.newBuilder().weakKeys().maximumSize(256).build();

    /** The payload, once one of {@code candidates} verified the signature. */
    Checked<byte[]> verify(Compact.Segments s, HeaderPolicy.Header header, List<JWK> candidates) {
        byte[] signingInput = s.signingInput();
        for (JWK k : candidates) {
            Optional<JWSVerifier> v = verifiers.get(k, Signatures::verifierFor);
            if (v.isPresent() && verifyWith(v.get(), k, header.jws(), signingInput, s.signature())) return Checked.passed(s.payload());
        }
        return Checked.refused(SIGNATURE);
    }

    /**
     * ECDSA verifies with Bouncy Castle (already a dependency): the JDK 17 provider rejects some valid signatures
     * whose nonce point has {@code x >= n} (Wycheproof P-256 cases 115 and 257). Not registered globally.
     */
    private static final class BouncyCastle {
        static final java.security.Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }

    static Optional<JWSVerifier> verifierFor(JWK key) {
        try {
            if (key instanceof RSAKey k) return Optional.of(new RSASSAVerifier(k));
            if (key instanceof ECKey k) {
                ECDSAVerifier v = new ECDSAVerifier(k);
                v.getJCAContext().setProvider(BouncyCastle.PROVIDER);
                return Optional.of(v);
            }
            if (key instanceof OctetSequenceKey k) return Optional.of(new MACVerifier(k));
            if (key instanceof OctetKeyPair k) return Optional.of(new Ed25519Jca.Verifier(k));
        } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * One signature check, also used directly by the Wycheproof ECDSA vectors. For ECDSA it first requires the
     * IEEE P1363 form with {@code 0 < r < n} and {@code 0 < s < n} (so the "psychic signature" r = s = 0 fails
     * here whatever the JDK does).
     */
    static boolean verifyWith(JWSVerifier verifier, JWK key, JWSHeader header, byte[] signingInput, byte[] signature) {
        if (key instanceof ECKey ec && !legalEcdsa(ec, signature)) return false;
        try {
            return verifier.verify(header, signingInput, Base64URL.encode(signature));
        } catch (JOSEException | RuntimeException e) {
            return false;
        }
    }

    private static boolean legalEcdsa(ECKey key, byte[] signature) {
        ECParameterSpec params = key.getCurve().toECParameterSpec();
        if (params == null) return false;
        BigInteger n = params.getOrder();
        int size = (n.bitLength() + 7) / 8;
        if (signature.length != 2 * size) return false;
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, size));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, size, 2 * size));
        return r.signum() > 0 && s.signum() > 0 && r.compareTo(n) < 0 && s.compareTo(n) < 0;
    }
}
