package dev.keys.core.verify;

import dev.keys.api.Digest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The key of the verifier's caches: a {@link Digest}'s 32 bytes as four longs. One class serves as the stored keys
 * (never changed once stored: {@link #copy}) and as each thread's reusable lookup probe ({@link #set} before every
 * lookup), so that a cache hit allocates nothing; it never leaves this package, which is what keeps a mutable
 * key out of the public API. Equality is constant-time; the hash is the digest's own first bits.
 */
final class DigestKey {
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private long a, b, c, d;

    static DigestKey of(Digest digest) {
        return new DigestKey().set(digest.toBytes());
    }

    /**
     * Takes the first 32 bytes of {@code bytes}: only on a thread's own probe, never on a stored key. Read four bytes
     * at a time: the JDK's SHA-256 has just written its output an int at a time, and a long read across two int
     * writes waits for both to leave the store buffer (measured in JMH: about 3 ns a verification).
     */
    DigestKey set(byte[] bytes) {
        a = pair(bytes, 0);
        b = pair(bytes, 8);
        c = pair(bytes, 16);
        d = pair(bytes, 24);
        return this;
    }

    private static long pair(byte[] bytes, int at) {
        return (long) (int) INTS.get(bytes, at) << 32 | ((int) INTS.get(bytes, at + 4) & 0xffffffffL);
    }

    /** An immutable copy, to be stored. */
    DigestKey copy() {
        DigestKey k = new DigestKey();
        k.a = a;
        k.b = b;
        k.c = c;
        k.d = d;
        return k;
    }

    Digest toDigest() {
        return new Digest(a, b, c, d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DigestKey x && ((a ^ x.a) | (b ^ x.b) | (c ^ x.c) | (d ^ x.d)) == 0;
    }

    @Override
    public int hashCode() {
        return (int) (a ^ (a >>> 32));
    }

    @Override
    public String toString() {
        return "DigestKey[redacted]";
    }
}
