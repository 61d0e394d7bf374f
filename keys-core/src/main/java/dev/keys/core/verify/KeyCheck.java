package dev.keys.core.verify;

import dev.keys.core.format.KeyFormat;

import java.util.zip.CRC32;

/**
 * Step 1 of a verification: the key format of docs/contract.md §2 ({@link KeyFormat}). The credential's bytes are
 * copied into the thread's buffer, so that the same bytes feed the intrinsic CRC32 here and the digest afterwards;
 * its characters are checked against the format's classes, so that malformed input costs no hashing, no store access
 * and no allocation. It never throws. {@link KeyFormat#isWellFormed} states the same rule plainly; the two are fuzzed
 * against each other.
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
     * <p>Order and costs. The bytes are copied first, in one bulk {@code getBytes} (an array copy for a Latin-1
     * string; it narrows each {@code char}, so the bytes stand for the credential only once every character is known to
     * be ASCII), and the checksum is computed on them by the intrinsic CRC32 and compared with the last six characters,
     * decoded from the characters themselves. Most malformed input (a typo, a truncated or made-up key) fails there,
     * and a verifier that takes no imported keys answers it without looking at each character's class: the pass that
     * does so costs as much as the CRC32 and the copy together (measured in JMH, {@code VerifyBenchmark.malformed}).
     * A checksum that matches proves nothing about the characters, so a candidate key then gets that pass: one loop
     * for the prefix, one for the body, folding their classes from one table indexed by the whole {@code char}, with
     * no range test and no branch per character, and asking once, after the pass, whether anything was refused. The
     * class is looked up by the character, never by a narrowed byte, so U+0141 can never pass as {@code A}, however
     * its narrowed byte fits the checksum. Measured earlier: a byte store per character in the pass cost 4 ns a key
     * more than the bulk copy; eight-byte word tests on the copied bytes cost more still (their loads wait for the
     * copy's stores).
     *
     * @param imports whether the caller looks up imported keys: when false, anything not {@link Shape#WELL_FORMED}
     *                is {@link Shape#MALFORMED}, and a wrong checksum is answered without the class pass
     * @return {@link Shape#WELL_FORMED} for a key of the format with a correct checksum; {@link Shape#PRINTABLE}
     * (only with {@code imports}) for anything else of 16 to 256 printable ASCII characters (a candidate imported
     * key); otherwise {@link Shape#MALFORMED}. Bytes are valid for {@code credential.length()} when not malformed.
     */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) narrows each char: exact once all are ASCII
    static Shape check(CharSequence credential, Local local, boolean imports) {
        int n = credential.length();
        if (n < KeyFormat.MIN_IMPORTED_LENGTH || n > KeyFormat.MAX_IMPORTED_LENGTH) return Shape.MALFORMED;
        // A String is its own toString(); any other CharSequence (none of the library's callers) is copied once,
        // so that the loops below run on a String, whose charAt C2 compiles without a type test per character.
        String s = credential.toString();
        byte[] b = local.bytes;
        s.getBytes(0, n, b, 0);
        int sep = n - KeyFormat.BODY_LENGTH - 1;
        if (n >= KeyFormat.MIN_LENGTH && n <= KeyFormat.MAX_LENGTH && s.charAt(sep) == '_') {
            long expected = 0;
            int refused = 0;
            for (int i = n - KeyFormat.CHECKSUM_LENGTH; i < n; i++) {
                char c = s.charAt(i);
                int digit = c < DIGIT.length ? DIGIT[c] : -1;
                refused |= digit;
                expected = expected * 62 + digit;
            }
            CRC32 crc = local.crc;
            crc.reset();
            crc.update(b, 0, n - KeyFormat.CHECKSUM_LENGTH);
            if (refused >= 0 && crc.getValue() == expected) {
                int prefix = classes(s, 0, sep), body = classes(s, sep + 1, n);
                if ((prefix & PREFIX_CHAR) != 0 && (body & BASE62) != 0 && s.charAt(0) >= 'a' && s.charAt(0) <= 'z') {
                    return Shape.WELL_FORMED;
                }
                return imports && (prefix & body & PRINTABLE) != 0 ? Shape.PRINTABLE : Shape.MALFORMED;
            }
        }
        return imports && (classes(s, 0, n) & PRINTABLE) != 0 ? Shape.PRINTABLE : Shape.MALFORMED;
    }

    /**
     * The classes every character of {@code s} in [from, to) has: PRINTABLE is set only when all of them are
     * printable ASCII, whatever else they are.
     */
    private static int classes(String s, int from, int to) {
        int k = PRINTABLE | BASE62 | PREFIX_CHAR;
        byte[] cls = CLASS;
        for (int i = from; i < to; i++) k &= cls[s.charAt(i)];
        return k;
    }
}
