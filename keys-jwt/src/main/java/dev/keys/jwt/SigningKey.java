package dev.keys.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.keys.core.format.KeyFormat;

import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One key of a {@link SigningKeys} ring: the private JWK (random {@code kid}, one {@code alg}, {@code use=sig}),
 * when it became current, when it was retired (absent while current), and its signer. Its JSON form is what a
 * sealed keyring holds. {@link #toString()} names the key id only.
 */
record SigningKey(JWK jwk, Instant createdAt, Optional<Instant> retiredAt, JWSSigner signer) {
    /** A fresh key for {@code algorithm}, current from {@code now}. */
    static SigningKey generate(SigningKeys.Algorithm algorithm, Instant now) {
        String kid = new KeyFormat().randomBase62(16);
        try {
            JWK jwk = switch (algorithm) {
                case ES256 -> new ECKeyGenerator(Curve.P_256).keyID(kid).algorithm(JWSAlgorithm.ES256).keyUse(KeyUse.SIGNATURE).generate();
                case RS256 -> new RSAKeyGenerator(2048).keyID(kid).algorithm(JWSAlgorithm.RS256).keyUse(KeyUse.SIGNATURE).generate();
                case EdDSA -> new OctetKeyPair.Builder(Ed25519Jca.generate(kid)).algorithm(JWSAlgorithm.EdDSA).keyUse(KeyUse.SIGNATURE).build();
            };
            return new SigningKey(jwk, now, Optional.empty(), signer(jwk));
        } catch (JOSEException e) {
            throw new IllegalStateException("key generation failed", e);
        }
    }

    String keyId() {
        return jwk.getKeyID();
    }

    /** This key retired at {@code at}, or itself when it is retired already. */
    SigningKey retire(Instant at) {
        return retiredAt.isPresent() ? this : new SigningKey(jwk, createdAt, Optional.of(at), signer);
    }

    /** {@code {"jwk", "createdAt", "retiredAt"?}}, private part included: only ever sealed. */
    Map<String, Object> toJson() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("jwk", jwk.toJSONObject());
        k.put("createdAt", createdAt.toString());
        retiredAt.ifPresent(r -> k.put("retiredAt", r.toString()));
        return k;
    }

    static SigningKey fromJson(Map<String, Object> k) throws ParseException {
        JWK jwk = JWK.parse(JSONObjectUtils.getJSONObject(k, "jwk"));
        Instant created = Instant.parse(JSONObjectUtils.getString(k, "createdAt"));
        Optional<Instant> retired = Optional.ofNullable(JSONObjectUtils.getString(k, "retiredAt")).map(Instant::parse);
        return new SigningKey(jwk, created, retired, signer(jwk));
    }

    private static JWSSigner signer(JWK jwk) {
        try {
            if (jwk instanceof ECKey ec) return new ECDSASigner(ec);
            if (jwk instanceof RSAKey rsa) return new RSASSASigner(rsa);
            if (jwk instanceof OctetKeyPair okp) return new Ed25519Jca.Signer(okp);
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable signing key " + jwk.getKeyID(), e);
        }
        throw new IllegalArgumentException("unsupported signing key type " + jwk.getKeyType());
    }

    @Override
    public String toString() {
        return "SigningKey[kid=" + jwk.getKeyID() + ", createdAt=" + createdAt + ", retiredAt=" + retiredAt + "]";
    }
}
