package dev.keys.jwt;


import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * EdDSA over Ed25519 (RFC 8037) with the JDK's own provider (Java 15+), so that Nimbus's optional Tink dependency
 * is not needed. Raw 32-byte keys travel in JWKs; the JDK wants X.509 / PKCS#8 encodings, which for Ed25519 are a
 * fixed prefix before the raw bytes.
 */
final class Ed25519Jca {
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final Set<JWSAlgorithm> ALGS = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    private Ed25519Jca() {
    }

    static OctetKeyPair generate(String kid) {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] pub = kp.getPublic().getEncoded();
            byte[] priv = kp.getPrivate().getEncoded();
            byte[] x = Arrays.copyOfRange(pub, pub.length - 32, pub.length);
            byte[] d = Arrays.copyOfRange(priv, priv.length - 32, priv.length);
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(d)).keyID(kid).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static PublicKey publicKey(OctetKeyPair jwk) throws GeneralSecurityException {
        byte[] x = jwk.getX().decode();
        if (x.length != 32) throw new GeneralSecurityException("an Ed25519 public key is 32 bytes");
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, x)));
    }

    static PrivateKey privateKey(OctetKeyPair jwk) throws GeneralSecurityException {
        byte[] d = jwk.getD().decode();
        if (d.length != 32) throw new GeneralSecurityException("an Ed25519 private key is 32 bytes");
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, d)));
    }

    static final class Signer implements JWSSigner {
        private final PrivateKey key;
        private final JCAContext jca = new JCAContext();

        Signer(OctetKeyPair jwk) throws GeneralSecurityException {
            if (!Curve.Ed25519.equals(jwk.getCurve())) throw new GeneralSecurityException("only Ed25519 is supported");
            this.key = privateKey(jwk);
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(key);
                s.update(signingInput);
                return Base64URL.encode(s.sign());
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 signing failed", e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return ALGS;
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }

    static final class Verifier implements JWSVerifier {
        private final PublicKey key;
        private final JCAContext jca = new JCAContext();

        Verifier(OctetKeyPair jwk) throws GeneralSecurityException {
            if (!Curve.Ed25519.equals(jwk.getCurve())) throw new GeneralSecurityException("only Ed25519 is supported");
            this.key = publicKey(jwk);
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
            byte[] sig = signature.decode();
            if (sig.length != 64) return false;
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(signingInput);
                return s.verify(sig);
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return ALGS;
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }
}
