package dev.keys.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The 32-byte digest a key is stored and looked up by (SHA-256, or HMAC-SHA256 with a pepper). Held as four
 * longs so that equality is branch-free and constant-time, and the hash code is the digest's own first bits.
 */
public final class Digest {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private final long a, b, c, d;

    public Digest(long a, long b, long c, long d) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
    }

    /** @throws IllegalArgumentException unless exactly 32 bytes */
    public static Digest of(byte[] bytes) {
        return of(bytes, 0);
    }

    public static Digest of(byte[] bytes, int offset) {
        if (bytes.length - offset < 32) throw new IllegalArgumentException("a digest is 32 bytes");
        return new Digest(getLong(bytes, offset), getLong(bytes, offset + 8), getLong(bytes, offset + 16), getLong(bytes, offset + 24));
    }

    /** @throws IllegalArgumentException unless 64 hex characters */
    public static Digest ofHex(String hex) {
        if (hex.length() != 64) throw new IllegalArgumentException("a digest is 64 hex characters");
        return of(HexFormat.of().parseHex(hex));
    }

    private static long getLong(byte[] b, int o) {
        return (long) LONGS.get(b, o);
    }

    public byte[] toBytes() {
        byte[] out = new byte[32];
        long[] parts = {a, b, c, d};
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 8; i++) out[p * 8 + i] = (byte) (parts[p] >>> (56 - 8 * i));
        }
        return out;
    }

    public String toHex() {
        return HexFormat.of().formatHex(toBytes());
    }

    /** Constant-time: every word compared, whatever the first difference. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Digest x && ((a ^ x.a) | (b ^ x.b) | (c ^ x.c) | (d ^ x.d)) == 0;
    }

    /** The digest's own first bits, already uniform. */
    @Override
    public int hashCode() {
        return (int) (a ^ (a >>> 32));
    }

    /** Never the digest itself: it is as good as a password hash to an attacker. */
    @Override
    public String toString() {
        return "Digest[redacted]";
    }
}
