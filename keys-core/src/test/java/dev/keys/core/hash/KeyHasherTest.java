package dev.keys.core.hash;

import dev.keys.api.Digest;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static org.junit.jupiter.api.Assertions.*;

class KeyHasherTest {
    @Test
    void sha256IsTheDigestOfTheAsciiBytes() throws Exception {
        String key = "sk_live_abc";
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
        assertEquals(Digest.of(expected), KeyHasher.sha256().digest(key));
        assertArrayEquals(expected, KeyHasher.sha256().digest(key).toBytes());
        assertEquals(64, KeyHasher.sha256().digest(key).toHex().length());
        assertEquals(Digest.ofHex(Digest.of(expected).toHex()), Digest.of(expected));
    }

    @Test
    void hmacUsesThePepper() throws Exception {
        byte[] pepper = new byte[32];
        pepper[0] = 7;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(pepper, "HmacSHA256"));
        byte[] expected = mac.doFinal("k".repeat(40).getBytes(StandardCharsets.US_ASCII));
        assertEquals(Digest.of(expected), KeyHasher.hmac(pepper).digest("k".repeat(40)));
        assertNotEquals(KeyHasher.sha256().digest("k".repeat(40)), KeyHasher.hmac(pepper).digest("k".repeat(40)));
        assertThrows(IllegalArgumentException.class, () -> KeyHasher.hmac(new byte[16]));
    }

    @Test
    void rootSecretDerivationIsStableAndSeparatesSecrets() {
        byte[] a = new byte[32], b = new byte[32];
        b[31] = 1;
        assertEquals(KeyHasher.hmacFromRootSecret(a).digest("x".repeat(20)), KeyHasher.hmacFromRootSecret(a.clone()).digest("x".repeat(20)));
        assertNotEquals(KeyHasher.hmacFromRootSecret(a).digest("x".repeat(20)), KeyHasher.hmacFromRootSecret(b).digest("x".repeat(20)));
    }

    @Test
    void hkdfMatchesRfc5869TestCase3() {
        byte[] okm = KeyHasher.hkdfSha256(bytes(0x0b, 22), new byte[0]);
        assertEquals("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d", java.util.HexFormat.of().formatHex(okm));
    }

    /** The pepper a root secret gives must never change: stored digests depend on it (pinned from the Bouncy Castle HKDF of 0.1). */
    @Test
    void rootSecretDerivationIsTheSameAsInEarlierReleases() {
        assertEquals("cede0ce8735bcaff862268c87047b7781b15492c945148ef8dbdfcfb62742248",
                KeyHasher.hmacFromRootSecret(new byte[32]).digest("x".repeat(20)).toHex());
    }

    private static byte[] bytes(int value, int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void aThreadsOwnInstanceHashesLikeDigest() throws Exception {
        byte[] pepper = new byte[32];
        pepper[3] = 9;
        byte[] key = "sk_live_".concat("k".repeat(38)).getBytes(StandardCharsets.US_ASCII);
        for (KeyHasher h : new KeyHasher[] {KeyHasher.sha256(), KeyHasher.hmac(pepper)}) {
            MessageDigest md = h.newMessageDigest();
            byte[] out = new byte[32];
            for (int round = 0; round < 2; round++) {
                md.update(key, 0, key.length);
                assertEquals(32, md.digest(out, 0, 32));
                assertEquals(h.digest(key, key.length), Digest.of(out), h.algorithm() + " round " + round);
            }
        }
        assertThrows(CloneNotSupportedException.class, KeyHasher.hmac(pepper).newMessageDigest()::clone, "a keyed instance is never copied");
    }

    @Test
    void digestsNeverPrintThemselves() {
        assertEquals("Digest[redacted]", KeyHasher.sha256().digest("abc").toString());
    }
}
