package dev.keys.core.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

class KeyFormatTest {
    private final KeyFormat format = new KeyFormat();

    @Test
    void generatedKeysHaveTheContractShape() {
        String key = format.generate("acme_live");
        assertTrue(key.matches("acme_live_[0-9A-Za-z]{38}"), key.length() + " chars");
        assertEquals("acme_live", KeyFormat.prefix(key));
        assertEquals(key.substring(10, 14), KeyFormat.start(key));
        // checksum: CRC32 of "<prefix>_<secret>" as 6 base62 digits, most significant first
        CRC32 crc = new CRC32();
        crc.update(key.substring(0, key.length() - 6).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long v = crc.getValue();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) { sb.insert(0, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".charAt((int) (v % 62))); v /= 62; }
        assertEquals(sb.toString(), key.substring(key.length() - 6));
    }

    @Test
    void aHundredThousandKeysAreUniqueAndParseBack() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String k = format.generate("sk_test");
            assertTrue(seen.add(k));
            assertTrue(KeyFormat.isWellFormed(k), k.substring(0, 8));
        }
    }

    @Test
    void theChecksumCatchesEverySingleCharacterChange() {
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
        for (int n = 0; n < 20; n++) {
            String key = format.generate("sk_live");
            for (int i = 0; i < key.length(); i++) {
                for (int a = 0; a < alphabet.length(); a++) {
                    char c = alphabet.charAt(a);
                    if (c == key.charAt(i)) continue;
                    String typo = key.substring(0, i) + c + key.substring(i + 1);
                    assertFalse(KeyFormat.isWellFormed(typo), "position " + i);
                }
            }
        }
    }

    @Test
    void secretsAreUniformOverTheAlphabet() {
        int[] counts = new int[128];
        for (int i = 0; i < 2000; i++) for (char c : format.randomBase62(32).toCharArray()) counts[c]++;
        // 64,000 draws over 62 symbols: about 1032 each; a modulo bias would push the first 2 symbols far above
        for (char c : KeyFormat.ALPHABET) assertTrue(counts[c] > 800 && counts[c] < 1300, c + ": " + counts[c]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Acme", "1abc", "_abc", "abc-def", "abcdefghijklmnopqrstuvwxy", "ab c", "ÄBC"})
    void badPrefixesAreRefusedClearly(String prefix) {
        var e = assertThrows(IllegalArgumentException.class, () -> format.generate(prefix));
        assertTrue(e.getMessage().contains("[a-z0-9_]"));
    }

    @Test
    void longestAndShortestPrefixesWork() {
        assertTrue(KeyFormat.isWellFormed(format.generate("a")));
        assertTrue(KeyFormat.isWellFormed(format.generate("abcdefghijklmnopqrstuvwx")));
    }

    @Test
    void hostileInputIsMalformedAndNeverThrows() {
        String good = format.generate("sk_live");
        String[] inputs = {
                "", " ", "x".repeat(10_000), "sk_live_" + "é".repeat(38), good + "\0", "\0" + good, good.replace('_', '\n'),
                good.substring(0, good.length() - 1), good + "A", "sk_live_" + "0".repeat(38), good.toUpperCase(),
                "Bearer " + good, good.substring(0, 10) + "\r\n" + good.substring(12), "\uD83D\uDE00".repeat(20),
                "sk_live__" + good.substring(8), "SK_LIVE_" + good.substring(8), "' OR 1=1 --" + good.substring(11),
        };
        for (String in : inputs) assertFalse(KeyFormat.isWellFormed(in));
        assertFalse(KeyFormat.isWellFormed(null));
        for (int len = 0; len < 300; len++) {
            String s = "a".repeat(len);
            assertDoesNotThrow(() -> KeyFormat.isWellFormed(s));
        }
    }

    @Test
    void entropyEstimateRefusesGuessableImports() {
        assertTrue(KeyFormat.estimateEntropyBits(format.randomBase62(32)) >= 128);
        assertTrue(KeyFormat.estimateEntropyBits("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") >= 128);
        assertTrue(KeyFormat.estimateEntropyBits("0123456789abcdef0123456789abcdef") < 128);
        assertTrue(KeyFormat.estimateEntropyBits("a".repeat(200)) < 128);
        assertTrue(KeyFormat.estimateEntropyBits("ab".repeat(100)) < 128);
        assertTrue(KeyFormat.estimateEntropyBits("password1234password") < 128);
    }
}
