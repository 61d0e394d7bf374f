package dev.keys.core.verify;

import dev.keys.api.Digest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DigestKeyTest {
    @Test
    void aProbeEqualsAndHashesLikeTheStoredKeyOfTheSameBytes() {
        byte[] bytes = new byte[32];
        for (int i = 0; i < 32; i++) bytes[i] = (byte) (i * 7 + 1);
        Digest d = Digest.of(bytes);
        DigestKey stored = DigestKey.of(d);
        DigestKey probe = new DigestKey().set(bytes);
        assertEquals(d, probe.toDigest());
        assertTrue(stored.equals(probe));
        assertTrue(probe.equals(stored));
        assertEquals(stored.hashCode(), probe.hashCode());
        DigestKey copy = probe.copy();
        bytes[31] ^= 1;
        assertFalse(stored.equals(probe.set(bytes)), "the probe follows its bytes");
        assertEquals(stored, copy, "a stored copy does not");
        assertFalse(stored.equals(DigestKey.of(Digest.of(bytes))));
        assertFalse(stored.equals(d), "never equal to a Digest: the caches hold DigestKeys only");
        assertEquals("DigestKey[redacted]", stored.toString());
    }
}
