package dev.keys.core.hash;

import dev.keys.api.Digest;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * Turns a key into the digest it is stored and looked up by: SHA-256 of its ASCII bytes, or HMAC-SHA256 under a
 * pepper so that a stolen database alone cannot be used to test guesses. Keys are high-entropy random strings,
 * so a single fast hash is the right tool (a password hash such as BCrypt would cost milliseconds per request and
 * buy nothing). Thread-safe: each thread hashes with its own instance and output buffer, so that hashing
 * allocates only the resulting {@link Digest}.
 */
public final class KeyHasher {
    private final Supplier<MessageDigest> factory;
    private final ThreadLocal<Engine> engines;
    private final String algorithm;

    private KeyHasher(String algorithm, Supplier<MessageDigest> factory) {
        this.algorithm = algorithm;
        this.factory = factory;
        this.engines = ThreadLocal.withInitial(() -> new Engine(factory.get()));
    }

    /** SHA-256 of the key bytes: the default. */
    public static KeyHasher sha256() {
        return new KeyHasher("SHA-256", () -> {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 is not available", e);
            }
        });
    }

    /** HMAC-SHA256 with this pepper (at least 32 bytes). Every instance sharing a store must use the same pepper. */
    public static KeyHasher hmac(byte[] pepper) {
        if (pepper.length < 32) throw new IllegalArgumentException("the pepper must be at least 32 bytes");
        SecretKeySpec spec = new SecretKeySpec(pepper.clone(), "HmacSHA256");
        return new KeyHasher("HMAC-SHA256", () -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return new MacDigest(mac);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    /**
     * HMAC-SHA256 with a pepper derived from a root secret by HKDF-SHA256 (RFC 5869, info {@code keys/pepper/v1}),
     * so that one root secret can feed several purposes without reuse.
     */
    public static KeyHasher hmacFromRootSecret(byte[] rootSecret) {
        if (rootSecret.length < 32) throw new IllegalArgumentException("the root secret must be at least 32 bytes");
        return hmac(hkdfSha256(rootSecret, "keys/pepper/v1".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * HKDF-SHA256 (RFC 5869) with no salt, 32 bytes of output: extract, then one expand block. The JDK's HMAC is
     * all it takes, so no crypto library is needed for it.
     */
    static byte[] hkdfSha256(byte[] ikm, byte[] info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));         // RFC 5869 §2.2: no salt is HashLen zeros
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(info);
            mac.update((byte) 1);
            return mac.doFinal();                                              // T(1): exactly the 32 bytes wanted
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** {@code SHA-256} or {@code HMAC-SHA256}. */
    public String algorithm() {
        return algorithm;
    }

    /** The digest of the first {@code len} bytes of {@code ascii}. Allocates only the result. */
    public Digest digest(byte[] ascii, int len) {
        Engine e = engines.get();
        try {
            e.md.update(ascii, 0, len);
            e.md.digest(e.out, 0, 32);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("hashing failed", ex);
        }
        return Digest.of(e.out);
    }

    /** The digest of a key given as text; every character must be ASCII (the key formats guarantee it). */
    public Digest digest(CharSequence key) {
        byte[] bytes = key.toString().getBytes(StandardCharsets.US_ASCII);
        return digest(bytes, bytes.length);
    }

    /**
     * A new instance of this hash for one thread's exclusive use ({@code MessageDigest} is not thread-safe), for
     * callers that keep their own per-thread state and hash into their own buffer, as the verifier does: update
     * with the key's ASCII bytes, then {@code digest(out, 0, 32)}. An HMAC instance holds the pepper and never
     * gives it out (it cannot be cloned).
     */
    public MessageDigest newMessageDigest() {
        return factory.get();
    }

    /** One thread's instance and output buffer, for {@link #digest(byte[], int)}. */
    private static final class Engine {
        final MessageDigest md;
        final byte[] out = new byte[32];

        Engine(MessageDigest md) {
            this.md = md;
        }
    }

    /** HMAC-SHA256 behind the {@code MessageDigest} interface, so that both algorithms hash the same way. */
    private static final class MacDigest extends MessageDigest {
        private final Mac mac;

        MacDigest(Mac mac) {
            super("HMAC-SHA256");
            this.mac = mac;
        }

        @Override
        protected int engineGetDigestLength() {
            return 32;
        }

        @Override
        protected void engineUpdate(byte input) {
            mac.update(input);
        }

        @Override
        protected void engineUpdate(byte[] input, int offset, int len) {
            mac.update(input, offset, len);
        }

        @Override
        protected byte[] engineDigest() {
            return mac.doFinal();
        }

        @Override
        protected int engineDigest(byte[] buf, int offset, int len) throws DigestException {
            if (len < 32) throw new DigestException("the output buffer holds fewer than 32 bytes");
            try {
                mac.doFinal(buf, offset);
            } catch (ShortBufferException e) {
                throw new DigestException("the output buffer holds fewer than 32 bytes");
            }
            return 32;
        }

        @Override
        protected void engineReset() {
            mac.reset();
        }
    }
}
