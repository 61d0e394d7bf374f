package dev.keys.jwt;

import dev.keys.api.Verification;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static dev.keys.jwt.JwtVerifier.ENCODING;
import static dev.keys.jwt.JwtVerifier.HEADER;
import static dev.keys.jwt.JwtVerifier.NESTED;
import static dev.keys.jwt.JwtVerifier.SIGNATURE;

/**
 * Strict checks on the compact serialisation, done on the raw text before any JSON parsing, key lookup or
 * network call: the alphabet, the segment count, canonical unpadded base64url (RFC 7515 §2: no padding, no
 * whitespace, no other characters, zero unused bits) and the nesting depth of the decoded JSON. Never throws on
 * input; allocation is limited to the decoded bytes.
 */
final class Compact {
    private static final byte[] VALUE = new byte[128];
    // Wrapped once: floods of garbage tokens are refused without allocating.
    private static final Optional<Verification.Denied> MISSING = Optional.of(JwtVerifier.MISSING),
            TOO_LARGE = Optional.of(JwtVerifier.TOO_LARGE), JWE = Optional.of(JwtVerifier.JWE),
            NOT_JWS = Optional.of(JwtVerifier.NOT_JWS), BAD_CHARACTER = Optional.of(ENCODING);

    /** The three segments of a compact JWS, decoded, with the text they came from. */
    record Segments(String text, int firstDot, int secondDot, byte[] header, byte[] payload, byte[] signature) {
        /** The header as sent, which Nimbus keeps as the header's original encoding. */
        String encodedHeader() {
            return text.substring(0, firstDot);
        }

        /** What the signature covers: {@code header.payload} as ASCII (RFC 7515 §5.2). */
        byte[] signingInput() {
            return text.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII);
        }
    }

    static {
        java.util.Arrays.fill(VALUE, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) VALUE[alphabet.charAt(i)] = (byte) i;
    }

    private Compact() {
    }

    /**
     * The checks one pass over the text decides, before any hashing: a credential at all, the size bound, the
     * alphabet and the segment count (five segments are a JWE). Empty when the text has the shape of a compact JWS.
     */
    static Optional<Verification.Denied> refusal(CharSequence token, int maxLength) {
        if (token == null || token.length() == 0) return MISSING;
        int n = token.length();
        if (n > maxLength) return TOO_LARGE;
        int dots = 0;
        for (int i = 0; i < n; i++) {
            char c = token.charAt(i);
            if (c == '.') dots++;
            else if (c >= 128 || VALUE[c] < 0) return dots == 4 ? JWE : BAD_CHARACTER;
        }
        if (dots == 4) return JWE;
        return dots == 2 ? Optional.empty() : NOT_JWS;
    }

    /**
     * Splits and decodes a text that passed {@link #refusal}: each segment canonical base64url, a header and a
     * signature that are not empty, header and payload JSON nested no deeper than {@code maxJsonDepth}.
     */
    static Checked<Segments> segments(String text, int maxJsonDepth) {
        int d1 = text.indexOf('.'), d2 = text.indexOf('.', d1 + 1);
        byte[] header = decode(text, 0, d1);
        byte[] payload = decode(text, d1 + 1, d2);
        byte[] signature = decode(text, d2 + 1, text.length());
        if (header == null || payload == null || signature == null) return Checked.refused(ENCODING);
        if (header.length == 0) return Checked.refused(HEADER);
        if (signature.length == 0) return Checked.refused(SIGNATURE);
        if (nestedDeeperThan(header, maxJsonDepth) || nestedDeeperThan(payload, maxJsonDepth)) return Checked.refused(NESTED);
        return Checked.passed(new Segments(text, d1, d2, header, payload, signature));
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
