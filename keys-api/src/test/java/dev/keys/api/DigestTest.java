package dev.keys.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DigestTest {
    @Test
    void digestsOfTheSameBytesAreEqualAndHashAlike() {
        byte[] bytes = new byte[32];
        for (int i = 0; i < 32; i++) bytes[i] = (byte) (i * 7 + 1);
        Digest d = Digest.of(bytes);
        assertEquals(d, Digest.of(bytes.clone()));
        assertEquals(d.hashCode(), Digest.of(bytes.clone()).hashCode());
        assertArrayEquals(bytes, d.toBytes());
        bytes[31] ^= 1;
        assertFalse(d.equals(Digest.of(bytes)));
        assertFalse(d.equals("x"));
        assertEquals(d, Digest.ofHex(d.toHex()));
        assertEquals("Digest[redacted]", d.toString());
    }
}
