package dev.keys.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DigestTest {
    @Test
    void aProbeEqualsAndHashesLikeTheDigestOfTheSameBytes() {
        byte[] bytes = new byte[32];
        for (int i = 0; i < 32; i++) bytes[i] = (byte) (i * 7 + 1);
        Digest d = Digest.of(bytes);
        Digest.Probe p = new Digest.Probe().set(bytes, 0);
        assertEquals(d, p.toDigest());
        assertTrue(d.equals(p));
        assertTrue(p.equals(d));
        assertEquals(d.hashCode(), p.hashCode());
        bytes[31] ^= 1;
        assertFalse(d.equals(new Digest.Probe().set(bytes, 0)));
        assertFalse(d.equals(Digest.of(bytes)));
        assertFalse(d.equals("x"));
        assertEquals(d, Digest.ofHex(d.toHex()));
    }
}
