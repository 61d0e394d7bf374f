package dev.keys.core.verify;

import dev.keys.core.format.KeyFormat;

import java.util.zip.CRC32;

/**
 * Step 1 of a verification: the key format of docs/contract.md §2 ({@link KeyFormat}) checked on the credential's
 * characters, then its ASCII bytes copied into the thread's buffer, so that the same bytes feed the intrinsic CRC32
 * here and the digest afterwards, and so that malformed input costs no hashing, no store access and no allocation.
 * It never throws. {@link KeyFormat#isWellFormed} states the same rule plainly; the two are fuzzed against each other.
 */
final class KeyCheck {
    /** What {@link #check} found. */
    enum Shape { WELL_FORMED, PRINTABLE, MALFORMED }

    private static final byte[] DIGIT = new byte[128];
    /**
     * Character classes: every printable ASCII character has PRINTABLE, so a class of 0 means refused. One entry per
     * {@code char}, so that the loop needs neither a range test nor a bounds check (only the first two cache lines are
     * ever read for real input).
     */
    private static final int PRINTABLE = 1, BASE62 = 2, PREFIX_CHAR = 4;
    private static final byte[] CLASS = new byte[Character.MAX_VALUE + 1];

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
     * Validates {@code credential} and copies its ASCII bytes into {@code local.bytes}.
     *
     * <p>Costs. One pass over the characters (a loop for the prefix, one for the body) folds their classes from one
     * table indexed by the whole {@code char}, with no range test and no branch per character; whether anything was
     * refused is asked once, after the pass. The class is looked up by the character, never by a narrowed byte, so
     * U+0141 can never pass as {@code A}. The pass stores nothing: once every character is known to be printable
     * ASCII, one bulk {@code getBytes} (an array copy for a Latin-1 string) makes the bytes exactly. Measured in
     * JMH: a byte store per character in the pass cost 4 ns a key more (31 ns against 27 ns for 46 characters);
     * a bulk copy first with eight-byte word tests after it cost more still (its word loads wait for the copy's
     * stores). Only then the checksum, by the intrinsic CRC32.
     *
     * @return {@link Shape#WELL_FORMED} for a key of the format with a correct checksum; {@link Shape#PRINTABLE}
     * for anything else of 16 to 256 printable ASCII characters (a candidate imported key); otherwise
     * {@link Shape#MALFORMED}. Bytes are valid for {@code credential.length()} when not malformed.
     */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) narrows each char: exact once all are ASCII
    static Shape check(CharSequence credential, Local local) {
        int n = credential.length();
        if (n < KeyFormat.MIN_IMPORTED_LENGTH || n > KeyFormat.MAX_IMPORTED_LENGTH) return Shape.MALFORMED;
        // A String is its own toString(); any other CharSequence (none of the library's callers) is copied once,
        // so that the loops below run on a String, whose charAt C2 compiles without a type test per character.
        String s = credential.toString();
        int sep = n - KeyFormat.BODY_LENGTH - 1;
        // Every accepted character's class has PRINTABLE, so a refused one clears it from its fold. A candidate
        // imported key shorter than a body folds everything into the body, where the classes no longer matter.
        int bodyFrom = Math.max(0, sep + 1);
        int prefix = PRINTABLE | PREFIX_CHAR, body = PRINTABLE | BASE62;
        byte[] cls = CLASS;
        for (int i = 0; i < bodyFrom; i++) prefix &= cls[s.charAt(i)];
        for (int i = bodyFrom; i < n; i++) body &= cls[s.charAt(i)];
        if ((prefix & body & PRINTABLE) == 0) return Shape.MALFORMED;
        byte[] b = local.bytes;
        s.getBytes(0, n, b, 0);
        if (n < KeyFormat.MIN_LENGTH || n > KeyFormat.MAX_LENGTH || s.charAt(sep) != '_' || (prefix & PREFIX_CHAR) == 0
                || (body & BASE62) == 0 || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            return Shape.PRINTABLE;
        }
        long expected = 0;
        for (int i = n - KeyFormat.CHECKSUM_LENGTH; i < n; i++) expected = expected * 62 + DIGIT[s.charAt(i)];
        CRC32 crc = local.crc;
        crc.reset();
        crc.update(b, 0, n - KeyFormat.CHECKSUM_LENGTH);
        return crc.getValue() == expected ? Shape.WELL_FORMED : Shape.PRINTABLE;
    }
}
