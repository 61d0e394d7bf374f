package dev.keys.jwt;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keys.api.Verification;
import dev.keys.test.ManualClock;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link JwtVerifier#verify}: arbitrary text and mutations of a valid token never throw and are never valid;
 * tokens with hostile headers and claims that do carry a correct HMAC are valid only when the claims meet every rule
 * (issuer, audience, expiry, subject, allowed algorithm).
 */
class JwtVerifierFuzzTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final String ISS = "https://issuer.example", AUD = "api";
    static final byte[] HMAC_SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final ManualClock CLOCK = new ManualClock(T0);
    static final ECKey EC;
    static final JwtVerifier VERIFIER;
    static final String VALID;

    static {
        try {
            EC = new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).keyUse(KeyUse.SIGNATURE).generate();
            OctetSequenceKey oct = new OctetSequenceKey.Builder(HMAC_SECRET).keyID("h1").algorithm(JWSAlgorithm.HS256).keyUse(KeyUse.SIGNATURE).build();
            // both kinds behind one source (jwks() refuses the mix; a custom source can still serve it): alg confusion
            JWKSet mixed = new JWKSet(List.of(EC.toPublicJWK(), oct));
            VERIFIER = JwtVerifier.builder().jwkSource((selector, ctx) -> selector.select(mixed)).algorithms("ES256", "HS256")
                    .issuer(ISS).audience(AUD).clock(CLOCK).build();
            JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISS).audience(AUD).subject("client-1").jwtID("j1")
                    .issueTime(Date.from(T0)).expirationTime(Date.from(T0.plusSeconds(900))).claim("scope", "documents:read").build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new ECDSASigner(EC));
            VALID = jwt.serialize();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
        if (!(VERIFIER.verify(VALID) instanceof Verification.Valid)) throw new AssertionError("the unmutated token must be valid");
    }

    static final List<String> HEADERS = List.of("{\"alg\":\"HS256\",\"kid\":\"h1\"}", "{\"alg\":\"HS256\"}", "{\"alg\":\"none\"}",
            "{\"alg\":\"ES256\",\"kid\":\"h1\"}", "{\"alg\":\"HS256\",\"kid\":\"k1\"}", "{\"alg\":\"HS256\",\"kid\":\"h1\",\"crit\":[\"exp\"]}",
            "{\"alg\":\"HS256\",\"kid\":\"h1\",\"b64\":false}", "{\"alg\":\"HS256\",\"kid\":\"h1\",\"jku\":\"http://127.0.0.1/\"}",
            "{\"alg\":\"HS256\",\"kid\":\"h1\",\"typ\":\"JWT\"}", "{\"alg\":\"hs256\",\"kid\":\"h1\"}", "[]", "", "null");

    @FuzzTest(maxDuration = "30s")
    void arbitraryText(byte[] input) {
        String s = new String(input, StandardCharsets.UTF_8);
        assertNotValid(s);
    }

    /** The valid token with a few edits: replaced, inserted or deleted characters, swapped or re-encoded segments. */
    @FuzzTest(maxDuration = "30s")
    void mutated(FuzzedDataProvider data) {
        StringBuilder t = new StringBuilder(VALID);
        int edits = data.consumeInt(1, 4);
        for (int k = 0; k < edits && t.length() > 0; k++) {
            int at = data.consumeInt(0, t.length() - 1);
            switch (data.consumeInt(0, 5)) {
                case 0 -> t.setCharAt(at, data.consumeChar());
                case 1 -> t.insert(at, data.consumeString(8));
                case 2 -> t.delete(at, Math.min(t.length(), at + data.consumeInt(1, 16)));
                case 3 -> t.setLength(at);
                case 4 -> {
                    String[] seg = t.toString().split("\\.", -1);
                    if (seg.length == 3) {
                        int i = data.consumeInt(0, 2);
                        seg[i] = b64(data.consumeString(200));
                        t.setLength(0);
                        t.append(String.join(".", seg));
                    }
                }
                default -> {
                    String[] seg = t.toString().split("\\.", -1);
                    if (seg.length == 3) {
                        t.setLength(0);
                        t.append(seg[1]).append('.').append(seg[0]).append('.').append(seg[2]);
                    }
                }
            }
        }
        String s = t.toString();
        if (s.equals(VALID)) return;
        assertNotValid(s);
    }

    /** Hostile header and claims with a correct HMAC: valid only when every claim rule holds. */
    @FuzzTest(maxDuration = "30s")
    void signedClaims(FuzzedDataProvider data) throws Exception {
        String header = data.consumeBoolean() ? data.pickValue(HEADERS) : data.consumeString(120);
        String payload = data.consumeRemainingAsString();
        String signingInput = b64(header) + "." + b64(payload);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(HMAC_SECRET, "HmacSHA256"));
        String token = signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
        Verification v = VERIFIER.verify(token);
        assertNotNull(v);
        if (!(v instanceof Verification.Valid)) return;
        Map<String, Object> h = JSONObjectUtils.parse(header);
        assertEquals("HS256", h.get("alg"));
        JWTClaimsSet c = JWTClaimsSet.parse(payload);
        assertEquals(ISS, c.getIssuer());
        assertTrue(c.getAudience().contains(AUD));
        assertNotNull(c.getSubject());
        assertNotNull(c.getExpirationTime());
        assertTrue(c.getExpirationTime().toInstant().isAfter(T0.minusSeconds(61)), "expired token accepted");
        if (c.getNotBeforeTime() != null) assertFalse(c.getNotBeforeTime().toInstant().isAfter(T0.plusSeconds(60)));
        if (c.getIssueTime() != null) assertFalse(c.getIssueTime().toInstant().isAfter(T0.plusSeconds(60)));
    }

    /** Found by {@link #signedClaims}: a header of JSON {@code null} threw a NullPointerException before any signature check. */
    @Test
    void aHeaderOfJsonNullIsMalformed() {
        for (String header : List.of("null", " null ", "null\n")) {
            Verification v = VERIFIER.verify(b64(header) + "." + b64("{}") + ".AAAA");
            assertEquals(dev.keys.api.Outcome.MALFORMED, v.outcome(), header);
            assertEquals(JwtVerifier.HEADER, v);
        }
    }

    static void assertNotValid(String s) {
        Verification v = VERIFIER.verify(s);
        assertNotNull(v);
        assertInstanceOf(Verification.Denied.class, v, s);
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
