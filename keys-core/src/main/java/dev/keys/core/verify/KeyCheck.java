package dev.keys.core.verify;

import dev.keys.core.format.KeyFormat;

import java.util.zip.CRC32;

/**
 * Step 1 of a verification: the key format of docs/contract.md §2 ({@link KeyFormat}) checked in the same pass that copies
 * the credential's ASCII bytes into the thread's buffer, so that the same bytes feed the intrinsic CRC32 here and
 * the digest afterwards, and so that malformed input costs no hashing, no store access and no allocation. It never
 * throws. {@link KeyFormat#isWellFormed} states the same rule plainly; the two are fuzzed against each other.
 */
final class KeyCheck {
    /** What {@link #check} found. */
    enum Shape { WELL_FORMED, PRINTABLE, MALFORMED }

    private static final byte[] DIGIT = new byte[128];
    /** Character classes: every printable ASCII character has PRINTABLE, so a class of 0 means refused. */
    private static final int PRINTABLE = 1, BASE62 = 2, PREFIX_CHAR = 4;
    private static final byte[] CLASS = new byte[128];

    static {
        java.util.Arrays.fill(DIGIT, (byte) -1);
        for (int i = 0; i < KeyFormat.BASE62.length(); i++) DIGIT[KeyFormat.BASE62.charAt(i)] = (byte) i;
        for (int c = 0x21; c <= 0x7e; c++) {
            int k = PRINTABLE;
            if (DIGIT[c] >= 0) k |= BASE62;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') k |= PREFIX_CHAR;
            CLASS[c] = (byte) k;
        }
    }

    private KeyCheck() {
    }

    /**
     * Validates {@code credential} and copies its ASCII bytes into {@code bytes} (at least
     * {@link KeyFormat#MAX_IMPORTED_LENGTH} long).
     *
     * @return {@link Shape#WELL_FORMED} for a key of the format with a correct checksum; {@link Shape#PRINTABLE}
     * for anything else of 16 to 256 printable ASCII characters (a candidate imported key); otherwise
     * {@link Shape#MALFORMED}. Bytes are valid for {@code credential.length()} when not malformed.
     */
    static Shape check(CharSequence credential, byte[] bytes, CRC32 crc) {
        int n = credential.length();
        if (n < KeyFormat.MIN_IMPORTED_LENGTH || n > KeyFormat.MAX_IMPORTED_LENGTH) return Shape.MALFORMED;
        byte[] b = bytes;
        int sep = n - KeyFormat.BODY_LENGTH - 1;
        int prefix = PREFIX_CHAR, body = BASE62;
        // one pass: copy, refuse non-printables, and fold the character classes of prefix and body
        for (int i = 0; i < n; i++) {
            char c = credential.charAt(i);
            int k = c < 128 ? CLASS[c] : 0;
            if (k == 0) return Shape.MALFORMED;
            b[i] = (byte) c;
            if (i < sep) prefix &= k;
            else if (i > sep) body &= k;
        }
        if (n < KeyFormat.MIN_LENGTH || n > KeyFormat.MAX_LENGTH || b[sep] != '_' || prefix == 0 || body == 0 || b[0] < 'a' || b[0] > 'z') {
            return Shape.PRINTABLE;
        }
        long expected = 0;
        for (int i = n - KeyFormat.CHECKSUM_LENGTH; i < n; i++) expected = expected * 62 + DIGIT[b[i]];
        crc.reset();
        crc.update(b, 0, n - KeyFormat.CHECKSUM_LENGTH);
        return crc.getValue() == expected ? Shape.WELL_FORMED : Shape.PRINTABLE;
    }
}
