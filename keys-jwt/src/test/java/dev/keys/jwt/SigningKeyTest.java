package dev.keys.jwt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** One key of the ring: printed without its private part, and read back from its sealed JSON form. */
class SigningKeyTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @ParameterizedTest
    @EnumSource(SigningKeys.Algorithm.class)
    void toStringNamesTheKidOnly(SigningKeys.Algorithm alg) {
        SigningKey k = SigningKey.generate(alg, T0);
        assertTrue(k.jwk().isPrivate());
        String printed = k.toString();
        assertTrue(printed.contains(k.keyId()), printed);
        assertFalse(printed.contains("\"d\"") || printed.contains(k.jwk().toJSONObject().get("d").toString()), printed);
    }

    @Test
    void jsonRoundTripKeepsTheKeyAndItsDates() throws Exception {
        SigningKey k = SigningKey.generate(SigningKeys.Algorithm.ES256, T0).retire(T0.plusSeconds(60));
        SigningKey back = SigningKey.fromJson(k.toJson());
        assertEquals(k.jwk(), back.jwk());
        assertEquals(T0, back.createdAt());
        assertEquals(Optional.of(T0.plusSeconds(60)), back.retiredAt());
        assertSame(k, k.retire(T0.plusSeconds(120)), "retiring twice keeps the first time");
    }
}
