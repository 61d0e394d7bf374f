package dev.keys.jwt;

/**
 * Strict checks on the compact serialisation, done on the raw text before any JSON parsing, key lookup or
 * network call: the alphabet, the segment count, canonical unpadded base64url (RFC 7515 §2: no padding, no
 * whitespace, no other characters, zero unused bits) and the nesting depth of the decoded JSON. Never throws on
 * input; allocation is limited to the decoded bytes.
 */
final class Compact {
    private static final byte[] VALUE = new byte[128];

    static {
        java.util.Arrays.fill(VALUE, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) VALUE[alphabet.charAt(i)] = (byte) i;
    }

    private Compact() {
    }

    /** True for a base64url character or a dot. */
    static boolean tokenChar(char c) {
        return c == '.' || (c < 128 && VALUE[c] >= 0);
    }

    /** The cheap routing test of {@link JwtVerifier#looksLikeJwt}: {@code eyJ…}, three base64url segments. */
    static boolean looksLikeJwt(CharSequence s) {
        if (s == null) return false;
        int n = s.length();
        if (n < 7 || s.charAt(0) != 'e' || s.charAt(1) != 'y' || s.charAt(2) != 'J') return false;
        int dots = 0, lastDot = -1;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                dots++;
                lastDot = i;
            } else if (c >= 128 || VALUE[c] < 0) {
                return false;
            }
        }
        return dots == 2 && lastDot < n - 1;
    }

    /**
     * Decodes {@code s[from, to)} as canonical unpadded base64url.
     *
     * @return the bytes, or {@code null} when the text is not canonical base64url
     */
    static byte[] decode(CharSequence s, int from, int to) {
        int len = to - from;
        if (len % 4 == 1) return null;
        byte[] out = new byte[len * 3 / 4];
        int o = 0, acc = 0, bits = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int v = c < 128 ? VALUE[c] : -1;
            if (v < 0) return null;
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (byte) (acc >>> bits);
                acc &= (1 << bits) - 1;
            }
        }
        if (acc != 0) return null; // non-zero unused bits: a second spelling of the same bytes
        return o == out.length ? out : java.util.Arrays.copyOf(out, o);
    }

    /**
     * Whether the JSON text nests objects and arrays deeper than {@code max}. A linear scan that tracks strings and
     * escapes; it does not validate the JSON (the parser does that afterwards, once this bound is known to hold).
     */
    static boolean nestedDeeperThan(byte[] json, int max) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') i++;
                else if (b == '"') inString = false;
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                if (++depth > max) return true;
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
        return false;
    }
}
