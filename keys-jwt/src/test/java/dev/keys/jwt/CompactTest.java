package dev.keys.jwt;

import dev.keys.api.Verification;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The text checks that run before any hashing, and the split of a well-shaped token into its segments. */
class CompactTest {
    static Optional<Verification.Denied> refusal(String s) {
        return Compact.refusal(s, 64);
    }

    @Test
    void oneTextPassDecidesTheShapeInTheDocumentedOrder() {
        assertEquals(Optional.of(JwtVerifier.MISSING), refusal(""));
        assertEquals(Optional.of(JwtVerifier.MISSING), Compact.refusal(null, 64));
        assertEquals(Optional.of(JwtVerifier.TOO_LARGE), refusal("a.b.c" + "x".repeat(60)));
        assertEquals(Optional.of(JwtVerifier.JWE), refusal("a.b.c.d.e"));
        assertEquals(Optional.of(JwtVerifier.JWE), refusal("a.b.c.d.e f"), "a bad character after four dots is still a JWE");
        assertEquals(Optional.of(JwtVerifier.ENCODING), refusal("a b.c.d.e.f"));
        assertEquals(Optional.of(JwtVerifier.ENCODING), refusal("eyJ=.e30.AAAA"));
        assertEquals(Optional.of(JwtVerifier.NOT_JWS), refusal("a.b"));
        assertEquals(Optional.empty(), refusal("a.b.c"));
    }

    @Test
    void segmentsAreDecodedAndChecked() {
        String text = "eyJhbGciOiJIUzI1NiJ9.e30.AAAA";
        Compact.Segments s = Compact.segments(text, 16).fold(x -> x, d -> fail(d.detail()));
        assertEquals("{\"alg\":\"HS256\"}", new String(s.header()));
        assertEquals("{}", new String(s.payload()));
        assertEquals(3, s.signature().length);
        assertEquals("eyJhbGciOiJIUzI1NiJ9", s.encodedHeader());
        assertArrayEquals("eyJhbGciOiJIUzI1NiJ9.e30".getBytes(), s.signingInput());
        assertEquals(JwtVerifier.HEADER, refused(".e30.AAAA"));
        assertEquals(JwtVerifier.SIGNATURE, refused("eyJhbGciOiJIUzI1NiJ9.e30."));
        assertEquals(JwtVerifier.ENCODING, refused("eyJhbGciOiJIUzI1NiJ9.e31.AAAA"), "non-zero unused bits");
        assertEquals(JwtVerifier.NESTED, Compact.segments("eyJhbGciOiJIUzI1NiJ9.W1tdXQ.AAAA", 1).fold(x -> null, d -> d));
    }

    static Verification.Denied refused(String text) {
        return Compact.segments(text, 16).fold(x -> null, d -> d);
    }
}
