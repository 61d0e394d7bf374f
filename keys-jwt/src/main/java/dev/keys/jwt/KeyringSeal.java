package dev.keys.jwt;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The envelope of a sealed keyring (docs/jwt.md, "Sealing the keyring"):
 * {@code "KSK1" | salt(16) | nonce(12) | AES-256-GCM(ciphertext + tag)}, under a key derived by HKDF-SHA256 from a
 * root secret of at least 32 bytes, the random salt and the info {@code keys/signing-keys/v1}; the magic bytes are
 * bound in as associated data. Messages never contain the secret.
 */
final class KeyringSeal {
    private static final byte[] MAGIC = "KSK1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HKDF_INFO = "keys/signing-keys/v1".getBytes(StandardCharsets.US_ASCII);
    private static final int SALT = 16, NONCE = 12, TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyringSeal() {
    }

    /** {@code plain} encrypted and authenticated under {@code rootSecret}. */
    static byte[] seal(byte[] plain, byte[] rootSecret) {
        requireRootSecret(rootSecret);
        byte[] salt = new byte[SALT], nonce = new byte[NONCE];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, derive(rootSecret, salt), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(MAGIC);
            byte[] ct = c.doFinal(plain);
            byte[] out = new byte[MAGIC.length + SALT + NONCE + ct.length];
            System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
            System.arraycopy(salt, 0, out, MAGIC.length, SALT);
            System.arraycopy(nonce, 0, out, MAGIC.length + SALT, NONCE);
            System.arraycopy(ct, 0, out, MAGIC.length + SALT + NONCE, ct.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * The plain text of a blob made by {@link #seal}; the caller wipes it once read.
     *
     * @throws IllegalArgumentException when the root secret is wrong or the blob was damaged or altered
     */
    static byte[] open(byte[] blob, byte[] rootSecret) {
        requireRootSecret(rootSecret);
        int head = MAGIC.length + SALT + NONCE;
        if (blob.length < head + TAG_BITS / 8 || !Arrays.equals(blob, 0, MAGIC.length, MAGIC, 0, MAGIC.length))
            throw new IllegalArgumentException("not a sealed signing keyring");
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] salt = Arrays.copyOfRange(blob, MAGIC.length, MAGIC.length + SALT);
            c.init(Cipher.DECRYPT_MODE, derive(rootSecret, salt), new GCMParameterSpec(TAG_BITS, blob, MAGIC.length + SALT, NONCE));
            c.updateAAD(MAGIC);
            return c.doFinal(blob, head, blob.length - head);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the sealed signing keyring could not be opened: wrong root secret, or the blob was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private static void requireRootSecret(byte[] rootSecret) {
        if (rootSecret == null || rootSecret.length < 32) throw new IllegalArgumentException("the root secret must be at least 32 bytes");
    }

    private static SecretKeySpec derive(byte[] rootSecret, byte[] salt) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(rootSecret, salt, HKDF_INFO));
        byte[] key = new byte[32];
        hkdf.generateBytes(key, 0, 32);
        return new SecretKeySpec(key, "AES");
    }
}
