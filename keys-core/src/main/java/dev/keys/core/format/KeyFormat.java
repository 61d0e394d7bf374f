package dev.keys.core.format;

import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The key format of DESIGN.md §2: {@code <prefix>_<secret><checksum>}. The prefix is 1 to 24 of {@code [a-z0-9_]}
 * starting with a letter; the secret 32 base62 characters from {@link SecureRandom} (190 bits); the checksum the
 * CRC32 of the ASCII bytes of {@code <prefix>_<secret>} as 6 base62 digits, most significant first.
 *
 * <p>{@link #check} is the first step of every verification: it copies the credential into a caller's scratch
 * buffer while validating it, so that the same bytes feed the intrinsic CRC32 here and the digest afterwards,
 * and so that malformed input costs no hashing, no store access and no allocation. It never throws.
 */
public final class KeyFormat {
    public static final int SECRET_LENGTH = 32;
    public static final int CHECKSUM_LENGTH = 6;
    public static final int BODY_LENGTH = SECRET_LENGTH + CHECKSUM_LENGTH;
    public static final int MAX_PREFIX_LENGTH = 24;
    public static final int MIN_LENGTH = 1 + 1 + BODY_LENGTH;
    public static final int MAX_LENGTH = MAX_PREFIX_LENGTH + 1 + BODY_LENGTH;
    /** Imported keys: printable ASCII of this length range. */
    public static final int MIN_IMPORTED_LENGTH = 16, MAX_IMPORTED_LENGTH = 256;

    static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final byte[] DIGIT = new byte[128];
    /** Character classes: every printable ASCII character has PRINTABLE, so a class of 0 means refused. */
    private static final int PRINTABLE = 1, BASE62 = 2, PREFIX_CHAR = 4;
    private static final byte[] CLASS = new byte[128];

    static {
        java.util.Arrays.fill(DIGIT, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET[i]] = (byte) i;
        for (int c = 0x21; c <= 0x7e; c++) {
            int k = PRINTABLE;
            if (DIGIT[c] >= 0) k |= BASE62;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') k |= PREFIX_CHAR;
            CLASS[c] = (byte) k;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private final SecureRandom random;

    public KeyFormat() {
        this(new SecureRandom());
    }

    public KeyFormat(SecureRandom random) {
        this.random = random;
    }

    /** A per-thread buffer for {@link #check}: the credential's ASCII bytes and a reusable CRC32. */
    public static final class Scratch {
        public final byte[] bytes = new byte[MAX_IMPORTED_LENGTH];
        final CRC32 crc = new CRC32();

        public Scratch() {
        }

        public static Scratch get() {
            return SCRATCH.get();
        }
    }

    /** What {@link #check} found. */
    public enum Shape { WELL_FORMED, PRINTABLE, MALFORMED }

    /**
     * Validates {@code credential} and copies its ASCII bytes into {@code scratch.bytes}.
     *
     * @return {@link Shape#WELL_FORMED} for a key of this format with a correct checksum; {@link Shape#PRINTABLE}
     * for anything else of 16 to 256 printable ASCII characters (a candidate imported key); otherwise
     * {@link Shape#MALFORMED}. Bytes are valid for {@code credential.length()} when not malformed.
     */
    public static Shape check(CharSequence credential, Scratch scratch) {
        int n = credential.length();
        if (n < MIN_IMPORTED_LENGTH || n > MAX_IMPORTED_LENGTH) return Shape.MALFORMED;
        byte[] b = scratch.bytes;
        int sep = n - BODY_LENGTH - 1;
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
        if (n < MIN_LENGTH || n > MAX_LENGTH || b[sep] != '_' || prefix == 0 || body == 0 || b[0] < 'a' || b[0] > 'z') {
            return Shape.PRINTABLE;
        }
        long expected = 0;
        for (int i = n - CHECKSUM_LENGTH; i < n; i++) expected = expected * 62 + DIGIT[b[i]];
        CRC32 crc = scratch.crc;
        crc.reset();
        crc.update(b, 0, n - CHECKSUM_LENGTH);
        return crc.getValue() == expected ? Shape.WELL_FORMED : Shape.PRINTABLE;
    }

    /** True when {@code credential} is a key of this format with a correct checksum. Never throws. */
    public static boolean isWellFormed(CharSequence credential) {
        return credential != null && check(credential, SCRATCH.get()) == Shape.WELL_FORMED;
    }

    /** @throws IllegalArgumentException saying what a prefix must be */
    public static String requireValidPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH
                || !prefix.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("prefix must be 1 to 24 characters of [a-z0-9_] starting with a letter");
        }
        return prefix;
    }

    /** A new key with this prefix. The caller shows it once and keeps only its digest. */
    public String generate(String prefix) {
        requireValidPrefix(prefix);
        StringBuilder sb = new StringBuilder(prefix.length() + 1 + BODY_LENGTH);
        sb.append(prefix).append('_');
        sb.append(randomBase62(SECRET_LENGTH));
        CRC32 crc = new CRC32();
        for (int i = 0; i < sb.length(); i++) crc.update(sb.charAt(i));
        appendChecksum(sb, crc.getValue());
        return sb.toString();
    }

    /** {@code length} base62 characters, uniformly distributed (rejection sampling, no modulo bias). */
    public String randomBase62(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; ) {
            int r = random.nextInt() >>> 26; // 6 bits
            if (r < 62) out[i++] = ALPHABET[r];
        }
        return new String(out);
    }

    static void appendChecksum(StringBuilder sb, long crc) {
        char[] digits = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            digits[i] = ALPHABET[(int) (crc % 62)];
            crc /= 62;
        }
        sb.append(digits);
    }

    /** The first 4 characters of the secret, stored for display. Only for well-formed keys. */
    public static String start(String key) {
        int sep = key.length() - BODY_LENGTH - 1;
        return key.substring(sep + 1, sep + 5);
    }

    /** The prefix of a well-formed key. */
    public static String prefix(String key) {
        return key.substring(0, key.length() - BODY_LENGTH - 1);
    }

    /**
     * An estimate of the entropy of an imported key, in bits: its effective length times log2 of the alphabet it
     * appears to be drawn from. The alphabet is hex when every character is a hex digit of one case, else the
     * union of the character classes used. The effective length counts only characters that start a pair not seen
     * before in the key, so that repetition ({@code aaaa}, {@code abab}, {@code passwordpassword}) earns nothing.
     */
    public static double estimateEntropyBits(String key) {
        boolean lower = false, upper = false, digit = false, other = false, hexLower = true, hexUpper = true;
        java.util.Set<Integer> pairs = new java.util.HashSet<>();
        int effective = key.isEmpty() ? 0 : 1;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= 'a' && c <= 'z') lower = true;
            else if (c >= 'A' && c <= 'Z') upper = true;
            else if (c >= '0' && c <= '9') digit = true;
            else other = true;
            boolean d = c >= '0' && c <= '9';
            hexLower &= d || (c >= 'a' && c <= 'f');
            hexUpper &= d || (c >= 'A' && c <= 'F');
            if (i > 0 && pairs.add((key.charAt(i - 1) << 16) | c)) effective++;
        }
        int pool = (hexLower || hexUpper) ? 16 : (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 32 : 0);
        return pool < 2 ? 0 : effective * (Math.log(pool) / Math.log(2));
    }
}
