package dev.keys.core.verify;

import dev.keys.core.format.KeyFormat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * Step 1 of a verification: the key format of docs/contract.md §2 ({@link KeyFormat}) checked on the credential's ASCII
 * bytes in the thread's buffer, so that the same bytes feed the intrinsic CRC32 here and the digest afterwards, and
 * so that malformed input costs no hashing, no store access and no allocation. It never throws.
 * {@link KeyFormat#isWellFormed} states the same rule plainly; the two are fuzzed against each other.
 *
 * <p>Costs. A pass that looks at each character on its own (a class table per {@code char}, a byte store each) is
 * bound by its two loads and one store per character: about 22 ns for a 46-character key, two thirds of the malformed
 * budget. So the characters are copied in one bulk call ({@link String#getBytes(int, int, byte[], int)}, an array
 * copy for a Latin-1 string) and checked eight bytes a word: printable ASCII, then the prefix and body classes by
 * range tests whose carries never cross a byte (every byte is below 0x80 by then). The bulk copy keeps only each
 * character's low byte, so U+0141 would pass as {@code A}: whatever the bytes allow is confirmed by one read of the
 * characters, none above U+007F. A credential refused on its bytes needs no such read, since no character above
 * U+007F is ever allowed: a refusal on narrowed bytes is the right answer.
 */
final class KeyCheck {
    /** What {@link #check} found. */
    enum Shape { WELL_FORMED, PRINTABLE, MALFORMED }

    /** The checks read whole words, the last one up to 7 bytes past the credential: the buffer has room for them. */
    static final int BUFFER_LENGTH = KeyFormat.MAX_IMPORTED_LENGTH + Long.BYTES;
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L, HIGH = 0x8080808080808080L;
    private static final byte[] DIGIT = new byte[128];

    static {
        java.util.Arrays.fill(DIGIT, (byte) -1);
        for (int i = 0; i < KeyFormat.BASE62.length(); i++) DIGIT[KeyFormat.BASE62.charAt(i)] = (byte) i;
    }

    private KeyCheck() {
    }

    /**
     * Validates {@code credential} and copies its ASCII bytes into {@code local.bytes}.
     *
     * @param printableWanted whether a candidate imported key is of use to the caller; when not, one answers
     *                        {@link Shape#MALFORMED}, which spares it the read of the characters
     * @return {@link Shape#WELL_FORMED} for a key of the format with a correct checksum; {@link Shape#PRINTABLE}
     * for anything else of 16 to 256 printable ASCII characters (a candidate imported key) when wanted; otherwise
     * {@link Shape#MALFORMED}. Bytes are valid for {@code credential.length()} when not malformed.
     */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) narrows; ascii() below makes that exact
    static Shape check(CharSequence credential, Local local, boolean printableWanted) {
        int n = credential.length();
        if (n < KeyFormat.MIN_IMPORTED_LENGTH || n > KeyFormat.MAX_IMPORTED_LENGTH) return Shape.MALFORMED;
        // A String is its own toString(); any other CharSequence (none of the library's callers) is copied once.
        String s = credential.toString();
        byte[] b = local.bytes;
        s.getBytes(0, n, b, 0);
        if (!printable(b, n)) return Shape.MALFORMED;
        Shape shape = wellFormed(b, n, local.crc) ? Shape.WELL_FORMED : printableWanted ? Shape.PRINTABLE : Shape.MALFORMED;
        return shape == Shape.MALFORMED || ascii(s, n) ? shape : Shape.MALFORMED;
    }

    /** Every one of the first {@code n} bytes is printable ASCII (0x21 to 0x7e); the word past the end is masked. */
    private static boolean printable(byte[] b, int n) {
        long bad = 0;
        int i = 0;
        for (; i + Long.BYTES <= n; i += Long.BYTES) bad |= notPrintable(word(b, i));
        if (i < n) bad |= notPrintable(word(b, i)) & (-1L >>> ((Long.BYTES - (n - i)) << 3));
        return bad == 0;
    }

    /**
     * {@code <prefix>_<32 base62><6 base62>} with a prefix of {@code [a-z][a-z0-9_]*}, at most 24 long, and the
     * checksum of everything before it; all bytes are printable ASCII.
     */
    private static boolean wellFormed(byte[] b, int n, CRC32 crc) {
        int sep = n - KeyFormat.BODY_LENGTH - 1;
        if (n < KeyFormat.MIN_LENGTH || n > KeyFormat.MAX_LENGTH || b[sep] != '_' || b[0] < 'a' || b[0] > 'z') return false;
        long ok = HIGH;
        for (int i = sep + 1; i + Long.BYTES <= n; i += Long.BYTES) ok &= base62(word(b, i));
        ok &= base62(word(b, n - Long.BYTES)); // the body's last bytes, overlapping the words before
        int i = 0;
        for (; i + Long.BYTES <= sep; i += Long.BYTES) ok &= prefixChar(word(b, i));
        if (i < sep) ok &= prefixChar(word(b, i)) | ~(HIGH >>> ((Long.BYTES - (sep - i)) << 3));
        if (ok != HIGH) return false;
        long expected = 0;
        for (int j = n - KeyFormat.CHECKSUM_LENGTH; j < n; j++) expected = expected * 62 + DIGIT[b[j]];
        crc.reset();
        crc.update(b, 0, n - KeyFormat.CHECKSUM_LENGTH);
        return crc.getValue() == expected;
    }

    /** No character above U+007F: the bulk copy narrowed each one to its low byte. */
    private static boolean ascii(String s, int n) {
        int all = 0;
        for (int i = 0; i < n; i++) all |= s.charAt(i);
        return all < 0x80;
    }

    private static long word(byte[] b, int at) {
        return (long) WORD.get(b, at);
    }

    /** The high bit of each byte that is not printable ASCII. */
    private static long notPrintable(long x) {
        return (x & HIGH) | (~in(x & ~HIGH, 0x21, 0x7e) & HIGH);
    }

    private static long base62(long x) {
        return in(x, '0', '9') | in(x, 'A', 'Z') | in(x, 'a', 'z');
    }

    private static long prefixChar(long x) {
        return in(x, 'a', 'z') | in(x, '0', '9') | in(x, '_', '_');
    }

    /** The high bit of each byte within {@code [lo, hi]}, for bytes below 0x80 (no carry then crosses a byte). */
    private static long in(long x, int lo, int hi) {
        return (x + ONES * (0x80 - lo)) & ~(x + ONES * (0x7f - hi)) & HIGH;
    }
}
