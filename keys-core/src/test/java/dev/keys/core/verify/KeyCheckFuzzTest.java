package dev.keys.core.format;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fuzzes the key parser (DESIGN.md §2) against a reference written from the spec alone: {@link KeyFormat#check}
 * never throws, calls a string well-formed exactly when the reference does, and no single-character typo of a
 * well-formed key passes the checksum. In the normal suite each method runs its stored inputs
 * ({@code KeyFormatFuzzTestInputs/<method>/}); {@code JAZZER_FUZZ=1} fuzzes for real (docs/hardening.md).
 */
class KeyFormatFuzzTest {
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** Arbitrary text, as UTF-8 bytes: any code point can reach the parser. */
    @FuzzTest(maxDuration = "30s")
    void check(byte[] input) {
        String s = new String(input, StandardCharsets.UTF_8);
        KeyFormat.Shape shape = KeyFormat.check(s, new KeyFormat.Scratch());
        assertEquals(reference(s), shape, () -> "shape of " + escape(s));
        assertEquals(shape == KeyFormat.Shape.WELL_FORMED, KeyFormat.isWellFormed(s));
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
        KeyFormat.appendChecksum(sb, crc.getValue());
        String key = sb.toString();
        assertEquals(KeyFormat.Shape.WELL_FORMED, KeyFormat.check(key, new KeyFormat.Scratch()), key);

        int at = data.consumeInt(0, key.length() - 1);
        char c = data.consumeChar();
        if (c == key.charAt(at)) return;
        String typo = key.substring(0, at) + c + key.substring(at + 1);
        assertNotEquals(KeyFormat.Shape.WELL_FORMED, KeyFormat.check(typo, new KeyFormat.Scratch()), () -> escape(typo));
    }

    /** The shape DESIGN.md §2 gives, computed the slow and obvious way. */
    static KeyFormat.Shape reference(String s) {
        int n = s.length();
        if (n < 16 || n > 256 || !s.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) return KeyFormat.Shape.MALFORMED;
        int body = 38;
        if (n < body + 2) return KeyFormat.Shape.PRINTABLE;
        String prefix = s.substring(0, n - body - 1), secretAndSum = s.substring(n - body);
        if (s.charAt(n - body - 1) != '_' || prefix.length() > 24 || !prefix.matches("[a-z][a-z0-9_]*")
                || !secretAndSum.matches("[0-9A-Za-z]{38}")) {
            return KeyFormat.Shape.PRINTABLE;
        }
        CRC32 crc = new CRC32();
        crc.update(s.substring(0, n - 6).getBytes(StandardCharsets.US_ASCII));
        StringBuilder sum = new StringBuilder();
        long v = crc.getValue();
        for (int i = 0; i < 6; i++, v /= 62) sum.insert(0, BASE62.charAt((int) (v % 62)));
        return s.endsWith(sum.toString()) ? KeyFormat.Shape.WELL_FORMED : KeyFormat.Shape.PRINTABLE;
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        return sb.toString();
    }
}
