package dev.keys.core.verify;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fuzzes the verifier's key parser (docs/contract.md §2) against a reference written from the spec alone:
 * {@link KeyCheck#check} never throws, calls a string well-formed exactly when the reference and
 * {@link KeyFormat#isWellFormed} do, and no single-character typo of a well-formed key passes the checksum. In the
 * normal suite each method runs its stored inputs ({@code KeyCheckFuzzTestInputs/<method>/});
 * {@code JAZZER_FUZZ=1} fuzzes for real (docs/hardening.md).
 */
class KeyCheckFuzzTest {
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** Arbitrary text, as UTF-8 bytes: any code point can reach the parser. */
    @FuzzTest(maxDuration = "30s")
    void check(byte[] input) {
        String s = new String(input, StandardCharsets.UTF_8);
        KeyCheck.Shape shape = check(s);
        assertEquals(reference(s), shape, () -> "shape of " + escape(s));
        assertEquals(shape == KeyCheck.Shape.WELL_FORMED, KeyFormat.isWellFormed(s));
    }

    /** A well-formed key built from the input, then one character replaced: the checksum must catch it. */
    @FuzzTest(maxDuration = "30s")
    void typo(FuzzedDataProvider data) {
        int prefixLen = data.consumeInt(1, KeyFormat.MAX_PREFIX_LENGTH);
        StringBuilder sb = new StringBuilder();
        sb.append((char) ('a' + data.consumeInt(0, 25)));
        String prefixChars = "abcdefghijklmnopqrstuvwxyz0123456789_";
        for (int i = 1; i < prefixLen; i++) sb.append(prefixChars.charAt(data.consumeInt(0, prefixChars.length() - 1)));
        sb.append('_');
        for (int i = 0; i < KeyFormat.SECRET_LENGTH; i++) sb.append(BASE62.charAt(data.consumeInt(0, 61)));
        CRC32 crc = new CRC32();
        crc.update(sb.toString().getBytes(StandardCharsets.US_ASCII));
        long v = crc.getValue();
        StringBuilder sum = new StringBuilder();
        for (int i = 0; i < 6; i++, v /= 62) sum.insert(0, BASE62.charAt((int) (v % 62)));
        String key = sb.append(sum).toString();
        assertEquals(KeyCheck.Shape.WELL_FORMED, check(key), key);

        int at = data.consumeInt(0, key.length() - 1);
        char c = data.consumeChar();
        if (c == key.charAt(at)) return;
        String typo = key.substring(0, at) + c + key.substring(at + 1);
        assertNotEquals(KeyCheck.Shape.WELL_FORMED, check(typo), () -> escape(typo));
    }

    /**
     * The shape with imported keys looked up, after asserting that a caller without them gets the same answer with
     * PRINTABLE folded into MALFORMED (the check then skips the class pass on a wrong checksum).
     */
    static KeyCheck.Shape check(CharSequence s, Local local) {
        KeyCheck.Shape shape = KeyCheck.check(s, local, true);
        assertEquals(shape == KeyCheck.Shape.WELL_FORMED ? shape : KeyCheck.Shape.MALFORMED, KeyCheck.check(s, local, false), "without imports");
        return shape;
    }

    static KeyCheck.Shape check(String s) {
        return check(s, new Local(KeyHasher.sha256()));
    }

    /** Hostile inputs: never well-formed, never a throw; neither for any length of a plain letter. */
    @org.junit.jupiter.api.Test
    void hostileInputIsNotWellFormedAndNeverThrows() {
        String good = new KeyFormat().generate("sk_live");
        List<String> inputs = List.of(
                "", " ", "x".repeat(10_000), "sk_live_" + "é".repeat(38), good + "\0", "\0" + good, good.replace('_', '\n'),
                good.substring(0, good.length() - 1), good + "A", "sk_live_" + "0".repeat(38), good.toUpperCase(),
                "Bearer " + good, good.substring(0, 10) + "\r\n" + good.substring(12), "\uD83D\uDE00".repeat(20),
                "sk_live__" + good.substring(8), "SK_LIVE_" + good.substring(8), "' OR 1=1 --" + good.substring(11),
                // a character whose low byte is the right one: the bulk copy must not narrow it into the key
                good.substring(0, 10) + (char) (good.charAt(10) + 0x100) + good.substring(11),
                good.substring(0, 10) + (char) (good.charAt(10) + 0x80) + good.substring(11));
        for (String in : inputs) {
            assertNotEquals(KeyCheck.Shape.WELL_FORMED, check(in), () -> escape(in));
            assertEquals(reference(in), check(in), () -> escape(in));
        }
        assertEquals(KeyCheck.Shape.WELL_FORMED, check(good));
        assertEquals(KeyCheck.Shape.WELL_FORMED, check(new StringBuilder(good), new Local(KeyHasher.sha256())), "any CharSequence");
        for (int len = 0; len < 300; len++) {
            String s = "a".repeat(len);
            assertDoesNotThrow(() -> check(s));
        }
    }

    /**
     * Every prefix length, every position, and characters at and around each class edge (and above U+00FF with an
     * accepted low byte, which the bulk copy would narrow into the key) agree with the reference; so do printable
     * strings of every length an imported key may have, with one bad character at each position.
     */
    @org.junit.jupiter.api.Test
    void everyPositionOfEveryLengthAgreesWithTheReference() {
        KeyFormat format = new KeyFormat();
        String edges = "\u0000 !/09:@AZ[`az{~\u007f\u0080\u00ff_-";
        Local local = new Local(KeyHasher.sha256());
        for (int prefixLen = 1; prefixLen <= KeyFormat.MAX_PREFIX_LENGTH + 1; prefixLen++) {
            String prefix = ("k" + "a0_z9".repeat(5)).substring(0, prefixLen);
            String key = prefixLen <= KeyFormat.MAX_PREFIX_LENGTH ? format.generate(prefix) : prefix + "_" + format.generate("k").substring(2);
            assertEquals(reference(key), check(key, local), key);
            for (int at = 0; at < key.length(); at++) {
                char original = key.charAt(at);
                for (char c : (edges + (char) (original + 0x100) + (char) (original + 0x80)).toCharArray()) {
                    String t = key.substring(0, at) + c + key.substring(at + 1);
                    assertEquals(reference(t), check(t, local), () -> escape(t));
                }
            }
        }
        for (int len = 10; len <= 260; len++) {
            String s = "Ab3-".repeat(70).substring(0, len);
            assertEquals(reference(s), check(s, local), s);
            for (int at = 0; at < len; at += 1 + len / 40) {
                String t = s.substring(0, at) + '\u0141' + s.substring(at + 1);
                assertEquals(KeyCheck.Shape.MALFORMED, check(t, local), () -> escape(t));
            }
        }
    }

    /** The shape docs/contract.md §2 gives, computed the slow and obvious way. */
    static KeyCheck.Shape reference(String s) {
        int n = s.length();
        if (n < 16 || n > 256 || !s.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) return KeyCheck.Shape.MALFORMED;
        int body = 38;
        if (n < body + 2) return KeyCheck.Shape.PRINTABLE;
        String prefix = s.substring(0, n - body - 1), secretAndSum = s.substring(n - body);
        if (s.charAt(n - body - 1) != '_' || prefix.length() > 24 || !prefix.matches("[a-z][a-z0-9_]*")
                || !secretAndSum.matches("[0-9A-Za-z]{38}")) {
            return KeyCheck.Shape.PRINTABLE;
        }
        CRC32 crc = new CRC32();
        crc.update(s.substring(0, n - 6).getBytes(StandardCharsets.US_ASCII));
        StringBuilder sum = new StringBuilder();
        long v = crc.getValue();
        for (int i = 0; i < 6; i++, v /= 62) sum.insert(0, BASE62.charAt((int) (v % 62)));
        return s.endsWith(sum.toString()) ? KeyCheck.Shape.WELL_FORMED : KeyCheck.Shape.PRINTABLE;
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        return sb.toString();
    }
}
