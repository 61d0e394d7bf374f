package dev.keys.jwt;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keys.api.ApiKey;
import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.test.ManualClock;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.Roles;
import dev.keys.core.hash.KeyHasher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The RFC 8725 attacks, each on its own, and the mapping of claims onto the API-key view. */
class JwtVerifierTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final String ISS = "https://issuer.example", AUD = "api";

    ManualClock clock;
    ECKey key;
    AtomicInteger keyLookups;
    JtiDenyList denyList;
    JwtVerifier verifier;

    @BeforeEach
    void setUp() throws Exception {
        clock = new ManualClock(T0);
        key = new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).keyUse(KeyUse.SIGNATURE).generate();
        keyLookups = new AtomicInteger();
        denyList = new JtiDenyList(clock, 100);
        verifier = builder().build();
    }

    JwtVerifier.Builder builder() {
        JWKSet published = new JWKSet(key.toPublicJWK());
        JWKSource<SecurityContext> counting = (selector, ctx) -> {
            keyLookups.incrementAndGet();
            return selector.select(published);
        };
        return JwtVerifier.builder().jwkSource(counting).algorithms("ES256", "HS256").issuer(ISS).audience(AUD)
                .roles(Roles.builder().role("reader", List.of("documents:read")).build())
                .denyList(denyList).clock(clock);
    }

    JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISS).audience(AUD).subject("client-1").jwtID("abcdef123")
                .issueTime(Date.from(T0)).notBeforeTime(Date.from(T0)).expirationTime(Date.from(T0.plusSeconds(900)))
                .claim("scope", "documents:write billing:read").claim("tenant", "acme");
    }

    String sign(JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    String sign(JWTClaimsSet claims) throws Exception {
        return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), claims);
    }

    static String b64(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static void assertDenied(Verification.Denied expected, Verification actual) {
        assertFalse(actual.isValid(), "must be denied");
        Verification.Denied d = (Verification.Denied) actual;
        assertEquals(expected.outcome(), d.outcome());
        assertEquals(expected.detail(), d.detail());
    }

    @Test
    void validTokenMapsToTheApiKeyView() throws Exception {
        String token = sign(claims().claim("roles", List.of("reader")).build());
        Verification v = verifier.verify(token, RequestContext.of("GET", "/docs"), Requirement.parse("documents:read AND billing:read"));
        assertTrue(v.isValid(), v::toString);
        ApiKey k = ((Verification.Valid) v).key();
        assertEquals("jwt:abcdef123", k.id());
        assertEquals("client-1", k.ownerId());
        assertEquals("acme", k.tenant());
        assertEquals("jwt", k.prefix());
        assertEquals("abcd", k.start());
        assertEquals(Set.of("documents:write", "billing:read"), k.permissions());
        assertEquals(Set.of("reader"), k.roles());
        assertEquals(KeyHasher.sha256().digest(token), k.digest());
        assertEquals(T0, k.createdAt());
        assertEquals(T0.plusSeconds(900), k.expiresAt().orElseThrow());
        assertEquals(1, keyLookups.get());
        // a repeated token is served from the cache: no second key lookup or signature check
        assertTrue(verifier.verify(token, RequestContext.NONE, Requirement.parse("documents:write")).isValid());
        assertEquals(1, keyLookups.get());
    }

    @Test
    void authorizationAppliesUnchanged() throws Exception {
        String token = sign(claims().build());
        Verification v = verifier.verify(token, RequestContext.of("DELETE", "/docs/1"), Requirement.parse("documents:delete"));
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, v.outcome());
        assertTrue(((Verification.Denied) v).key().isPresent());
        Verification f = verifier.verify(token, RequestContext.of("GET", "/"), Requirement.parse("documents:write [env test]"));
        assertEquals(Outcome.FORBIDDEN, f.outcome());
    }

    @Test
    void permissionsArrayAndDefaultTenantAndIdFromSub() throws Exception {
        JWTClaimsSet c = new JWTClaimsSet.Builder().issuer(ISS).audience(List.of("other", AUD)).subject("svc")
                .expirationTime(Date.from(T0.plusSeconds(60))).claim("permissions", List.of("a:b", "c:d")).build();
        ApiKey k = ((Verification.Valid) verifier.verify(sign(c))).key();
        assertEquals("jwt:svc", k.id());
        assertEquals("jwt_", k.start());
        assertEquals("default", k.tenant());
        assertEquals(Set.of("a:b", "c:d"), k.permissions());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void algNoneInAnySpellingIsRejected(String alg) throws Exception {
        String body = b64(claims().build().toString());
        String header = b64("{\"alg\":\"" + alg + "\",\"kid\":\"k1\"}");
        assertDenied(JwtVerifier.SIGNATURE, verifier.verify(header + "." + body + "."));
        assertDenied(JwtVerifier.ALGORITHM, verifier.verify(header + "." + body + ".AAAA"));
        assertEquals(0, keyLookups.get());
    }

    @Test
    void hmacSignedWithThePublicKeyBytesIsRejected() throws Exception {
        // the classic key confusion: HS256 over the token with the verifier's own public key as the HMAC secret
        for (byte[] secret : List.of(key.toECPublicKey().getEncoded(), key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
            jwt.sign(new MACSigner(secret));
            assertDenied(JwtVerifier.UNKNOWN_KEY, verifier.verify(jwt.serialize()));
        }
    }

    @Test
    void embeddedJwkIsRejected() throws Exception {
        ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").jwk(attacker.toPublicJWK()).build(), claims().build());
        jwt.sign(new ECDSASigner(attacker));
        assertDenied(JwtVerifier.EMBEDDED_KEY, verifier.verify(jwt.serialize()));
        assertEquals(0, keyLookups.get());
    }

    @Test
    void jkuAndX5uOutsideTheAllowListAreRejected() throws Exception {
        URI evil = URI.create("https://evil.example/jwks.json");
        assertDenied(JwtVerifier.KEY_URL, verifier.verify(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").jwkURL(evil).build(), claims().build())));
        assertDenied(JwtVerifier.KEY_URL, verifier.verify(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").x509CertURL(evil).build(), claims().build())));
        assertEquals(0, keyLookups.get());
        URI ours = URI.create("https://issuer.example/jwks.json");
        JwtVerifier allowing = builder().allowKeyUrl(ours).build();
        assertTrue(allowing.verify(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").jwkURL(ours).build(), claims().build())).isValid());
        assertDenied(JwtVerifier.KEY_URL, allowing.verify(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").jwkURL(evil).build(), claims().build())));
    }

    @Test
    void unknownCritIsRejected() throws Exception {
        JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").customParam("exp-policy", 1).criticalParams(Set.of("exp-policy")).build();
        assertDenied(JwtVerifier.CRITICAL, verifier.verify(sign(h, claims().build())));
        assertEquals(0, keyLookups.get());
    }

    @Test
    void jweWhereJwsIsExpectedIsRejected() {
        String jwe = b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA";
        assertDenied(JwtVerifier.JWE, verifier.verify(jwe));
        assertFalse(JwtVerifier.looksLikeJwt(jwe));
        assertEquals(0, keyLookups.get());
    }

    @Test
    void oversizedTokenIsRejectedBeforeAnyWork() throws Exception {
        String big = sign(claims().claim("pad", "x".repeat(9000)).build());
        assertTrue(big.length() > 8 * 1024);
        assertDenied(JwtVerifier.TOO_LARGE, verifier.verify(big));
        assertEquals(0, keyLookups.get());
    }

    @Test
    void deeplyNestedClaimsAreRejectedWithoutKeyLookup() throws Exception {
        String nested = "[".repeat(17) + "]".repeat(17);
        String payload = b64("{\"iss\":\"" + ISS + "\",\"aud\":\"" + AUD + "\",\"sub\":\"s\",\"exp\":1999999999,\"x\":" + nested + "}");
        String header = b64("{\"alg\":\"ES256\",\"kid\":\"k1\"}");
        assertDenied(JwtVerifier.NESTED, verifier.verify(header + "." + payload + ".AAAA"));
        assertEquals(0, keyLookups.get());
        // sixteen levels are fine (the claims object itself is one)
        assertTrue(verifier.verify(sign(claims().claim("x", List.of(List.of(List.of("ok")))).build())).isValid());
    }

    @Test
    void wrongIssuerIsRejected() throws Exception {
        assertDenied(JwtVerifier.ISSUER, verifier.verify(sign(claims().issuer("https://other.example").build())));
    }

    @Test
    void wrongAudienceIsRejected() throws Exception {
        assertDenied(JwtVerifier.AUDIENCE, verifier.verify(sign(claims().audience("someone-else").build())));
        assertDenied(JwtVerifier.AUDIENCE, verifier.verify(sign(claims().audience((String) null).build())));
    }

    @Test
    void expiredTokenIsRejectedWithSkew() throws Exception {
        String token = sign(claims().expirationTime(Date.from(T0.minusSeconds(30))).build());
        assertTrue(verifier.verify(token).isValid(), "within the 60 s skew");
        clock.advance(Duration.ofSeconds(31));
        assertDenied(JwtVerifier.EXPIRED, verifier.verify(token));
        assertDenied(JwtVerifier.EXPIRED, verifier.verify(sign(claims().jwtID("other").expirationTime(Date.from(T0.minusSeconds(120))).build())));
    }

    @Test
    void cachedTokenExpiresOnTheClock() throws Exception {
        String token = sign(claims().build());
        assertTrue(verifier.verify(token).isValid());
        clock.advance(Duration.ofSeconds(900 + 59));
        assertTrue(verifier.verify(token).isValid());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Outcome.EXPIRED, verifier.verify(token).outcome());
    }

    @Test
    void notYetValidTokenIsRejected() throws Exception {
        assertDenied(JwtVerifier.NOT_YET_VALID, verifier.verify(sign(claims().notBeforeTime(Date.from(T0.plusSeconds(120))).build())));
        assertTrue(verifier.verify(sign(claims().jwtID("x2").notBeforeTime(Date.from(T0.plusSeconds(30))).build())).isValid(), "within skew");
        assertDenied(JwtVerifier.ISSUED_IN_FUTURE, verifier.verify(sign(claims().jwtID("x3").notBeforeTime(null).issueTime(Date.from(T0.plusSeconds(600))).build())));
    }

    @Test
    void farFutureExpiryIsCachedWithoutOverflow() throws Exception {
        String token = sign(claims().expirationTime(new Date(9_999_999_999_000L)).build());
        assertTrue(verifier.verify(token).isValid());
        clock.advance(Duration.ofDays(3650));
        assertTrue(verifier.verify(token).isValid());
        assertEquals(1, keyLookups.get());
    }

    @Test
    void missingExpiryIsRejected() throws Exception {
        assertDenied(JwtVerifier.NO_EXPIRY, verifier.verify(sign(claims().expirationTime(null).build())));
    }

    @Test
    void missingSubjectIsRejected() throws Exception {
        assertDenied(JwtVerifier.NO_SUBJECT, verifier.verify(sign(claims().subject(null).build())));
    }

    @Test
    void wrongTypeIsRejectedWhenRequired() throws Exception {
        JwtVerifier typed = builder().requiredType("at+jwt").build();
        JWTClaimsSet c = claims().build();
        assertDenied(JwtVerifier.TYPE, typed.verify(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").type(JOSEObjectType.JWT).build(), c)));
        assertDenied(JwtVerifier.TYPE, typed.verify(sign(c)));
        assertTrue(typed.verify(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").type(new JOSEObjectType("at+jwt")).build(), c)).isValid());
        assertTrue(typed.verify(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").type(new JOSEObjectType("application/AT+JWT")).build(), c)).isValid());
    }

    @Test
    void tamperedPayloadFailsTheSignature() throws Exception {
        String token = sign(claims().build());
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + b64(claims().claim("scope", "admin:*").build().toString()) + "." + parts[2];
        assertDenied(JwtVerifier.SIGNATURE, verifier.verify(forged));
    }

    @Test
    void unknownKidIsRejected() throws Exception {
        assertDenied(JwtVerifier.UNKNOWN_KEY, verifier.verify(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("nope").build(), claims().build())));
    }

    @Test
    void revokedJtiIsRejectedEvenWhenCached() throws Exception {
        String token = sign(claims().build());
        assertTrue(verifier.verify(token).isValid());
        denyList.revoke("abcdef123", T0.plusSeconds(900));
        assertEquals(Outcome.REVOKED, verifier.verify(token).outcome());
        assertDenied(JwtVerifier.REVOKED, verifier.verify(sign(claims().claim("fresh", true).build())));
    }

    @Test
    void malformedShapesAreRejected() {
        assertDenied(JwtVerifier.MISSING, verifier.verify(""));
        assertDenied(JwtVerifier.NOT_JWS, verifier.verify("eyJhbGciOiJFUzI1NiJ9.e30"));
        assertDenied(JwtVerifier.ENCODING, verifier.verify("eyJhbGciOiJFUzI1NiJ9.e30 .AAAA"));
        assertDenied(JwtVerifier.ENCODING, verifier.verify("eyJhbGciOiJFUzI1NiJ9=.e30.AAAA"));
        assertDenied(JwtVerifier.HEADER, verifier.verify(b64("[1]") + ".e30.AAAA"));
        assertEquals(0, keyLookups.get());
    }

    @Test
    void looksLikeJwtRoutesTokensAndKeys() throws Exception {
        assertTrue(JwtVerifier.looksLikeJwt(sign(claims().build())));
        assertFalse(JwtVerifier.looksLikeJwt("sk_live_4Jd8aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assertFalse(JwtVerifier.looksLikeJwt("eyJhbGciOiJFUzI1NiJ9.e30"));
        assertFalse(JwtVerifier.looksLikeJwt("eyJhbGciOiJFUzI1NiJ9.e30."));
        assertFalse(JwtVerifier.looksLikeJwt("abc.def.ghi"));
        assertFalse(JwtVerifier.looksLikeJwt("eyJh bGc.e30.AAAA"));
        assertFalse(JwtVerifier.looksLikeJwt(null));
    }

    @Test
    void configurationIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> JwtVerifier.builder().algorithms("none"));
        assertThrows(IllegalArgumentException.class, () -> JwtVerifier.builder().algorithms("NONE"));
        assertThrows(IllegalStateException.class, () -> JwtVerifier.builder().jwks(new JWKSet(key.toPublicJWK())).issuer(ISS).build());
        assertThrows(IllegalArgumentException.class, () -> JwtVerifier.builder().jwks(new JWKSet(key)), "private keys refused");
        assertThrows(IllegalArgumentException.class, () -> JwtVerifier.builder().jwksUrl(new java.net.URL("http://issuer.example/jwks")));
    }
}
