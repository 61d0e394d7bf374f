package dev.keys.core.format;

import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The key format of docs/contract.md §2: {@code <prefix>_<secret><checksum>}. The prefix is 1 to 24 of {@code [a-z0-9_]}
 * starting with a letter; the secret 32 base62 characters from {@link SecureRandom} (190 bits); the checksum the
 * CRC32 of the ASCII bytes of {@code <prefix>_<secret>} as 6 base62 digits, most significant first.
 *
 * <p>The verifier's first step checks the same rule its own way (the bytes it then hashes copied once, the checksum
 * before the characters' classes), so that malformed input costs no hashing, no store access and no allocation;
 * {@link #isWellFormed} is the rule for everyone else.
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

    /** The base62 digits of secrets and checksums, in the order of their values. */
    public static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static final char[] ALPHABET = BASE62.toCharArray();

    private final SecureRandom random;

    public KeyFormat() {
        this(new SecureRandom());
    }

    public KeyFormat(SecureRandom random) {
        this.random = random;
    }

    /**
     * True when {@code credential} is a key of this format with a correct checksum: exactly what {@link #generate}
     * makes for some prefix and secret. Never throws. Not the verifier's check (that one copies the bytes it hashes
     * in the same pass); the two are fuzzed against each other.
     */
    public static boolean isWellFormed(CharSequence credential) {
        if (credential == null) return false;
        int n = credential.length();
        if (n < MIN_LENGTH || n > MAX_LENGTH) return false;
        int sep = n - BODY_LENGTH - 1;
        CRC32 crc = new CRC32();
        for (int i = 0; i < n; i++) {
            char c = credential.charAt(i);
            boolean ok = i > sep ? BASE62.indexOf(c) >= 0
                    : i == sep ? c == '_'
                    : (c >= 'a' && c <= 'z') || (i > 0 && ((c >= '0' && c <= '9') || c == '_'));
            if (!ok) return false;
            if (i < n - CHECKSUM_LENGTH) crc.update(c);
        }
        StringBuilder sum = new StringBuilder(CHECKSUM_LENGTH);
        appendChecksum(sum, crc.getValue());
        return CharSequence.compare(sum, credential.subSequence(n - CHECKSUM_LENGTH, n)) == 0;
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
