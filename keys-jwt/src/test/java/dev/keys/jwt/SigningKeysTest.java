package dev.keys.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class SigningKeysTest {
    static final byte[] ROOT = "0123456789abcdef0123456789abcdef-root".getBytes();
    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));

    String token(SigningKeys keys) {
        Instant now = clock.instant();
        return keys.sign(new JWTClaimsSet.Builder().issuer("iss").audience("aud").subject("s").issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300))).build(), Optional.of("at+jwt"));
    }

    @ParameterizedTest
    @EnumSource(SigningKeys.Algorithm.class)
    void eachAlgorithmSignsAndVerifies(SigningKeys.Algorithm alg) {
        SigningKeys keys = SigningKeys.generate(alg, Duration.ofHours(1), clock);
        String t = token(keys);
        assertTrue(JwtVerifier.forIssuer(keys, "iss", "aud", clock).verify(t).isValid());
        String jwks = keys.jwks();
        assertTrue(jwks.contains("\"alg\":\"" + alg.jwsName() + "\""), jwks);
        assertTrue(jwks.contains("\"use\":\"sig\""), jwks);
        assertFalse(jwks.contains("\"d\""), jwks);
        // a verifier configured from the published JSON alone
        JwtVerifier fromJson = JwtVerifier.builder().jwks(jwks).algorithms(alg.jwsName()).issuer("iss").audience("aud").clock(clock).build();
        assertTrue(fromJson.verify(t).isValid());
    }

    @Test
    void sealAndUnsealRoundTrip() {
        SigningKeys keys = SigningKeys.generate(SigningKeys.Algorithm.EdDSA, Duration.ofMinutes(30), clock);
        String old = token(keys);
        keys.rotate();
        byte[] blob = keys.seal(ROOT);
        SigningKeys opened = SigningKeys.unseal(blob, ROOT, clock);
        assertEquals(keys.currentKeyId(), opened.currentKeyId());
        assertEquals(keys.publishedKeyIds(), opened.publishedKeyIds());
        assertEquals(keys.algorithm(), opened.algorithm());
        assertEquals(keys.maxTokenLifetime(), opened.maxTokenLifetime());
        assertTrue(JwtVerifier.forIssuer(opened, "iss", "aud", clock).verify(old).isValid(), "retired key survives sealing");
        assertTrue(JwtVerifier.forIssuer(keys, "iss", "aud", clock).verify(token(opened)).isValid(), "same current private key");
        assertFalse(new String(blob, java.nio.charset.StandardCharsets.ISO_8859_1).contains(keys.currentKeyId()), "the blob is encrypted");
    }

    @Test
    void wrongRootSecretOrAlteredBlobIsRejected() {
        SigningKeys keys = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofMinutes(30), clock);
        byte[] blob = keys.seal(ROOT);
        byte[] wrong = ROOT.clone();
        wrong[0] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.unseal(blob, wrong, clock));
        byte[] altered = blob.clone();
        altered[altered.length - 20] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.unseal(altered, ROOT, clock));
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.unseal(new byte[10], ROOT, clock));
        assertThrows(IllegalArgumentException.class, () -> keys.seal(new byte[16]), "root secret too short");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKeys.unseal(blob, wrong, clock));
        assertFalse(e.getMessage().contains(new String(ROOT)));
    }

    @Test
    void denyListIsBoundedAndForgetsExpiredEntries() {
        JtiDenyList list = new JtiDenyList(clock, 2, Duration.ofSeconds(60));
        list.revoke("a", clock.instant().plusSeconds(10));
        list.revoke("b", clock.instant().plusSeconds(100));
        assertThrows(IllegalStateException.class, () -> list.revoke("c", clock.instant().plusSeconds(100)));
        assertTrue(list.isRevoked("a"));
        clock.advance(Duration.ofSeconds(71));
        assertFalse(list.isRevoked("a"), "kept until exp + margin only");
        list.revoke("c", clock.instant().plusSeconds(100));
        assertTrue(list.isRevoked("b") && list.isRevoked("c"));
        list.revoke("old", clock.instant().minusSeconds(100));
        assertFalse(list.isRevoked("old"));
    }
}
