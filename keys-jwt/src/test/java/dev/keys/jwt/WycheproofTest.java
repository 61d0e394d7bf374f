package dev.keys.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.util.Base64URL;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Wycheproof vectors (C2SP/wycheproof, Apache 2.0, see resources/wycheproof/) run as a peer's test suite
 * against the same JWS path {@link JwtVerifier} uses for every token: each group's key set configures a verifier
 * (all supported algorithms allowed), then each case is checked to the signature.
 */
class WycheproofTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Cases marked {@code valid} that we reject on purpose: a {@code ?} inserted into a segment, which a lenient
     * base64 decoder skips. RFC 7515 §2 allows only the base64url alphabet, so strict rejection is the safer
     * reading (Wycheproof marks these "valid" in the sense of "acceptable").
     */
    private static final Set<Integer> STRICTER_THAN_VALID = Set.of(372, 373);
    /**
     * Cases marked {@code valid} whose key names another algorithm than the header: RFC 7520 figures 20 and 27
     * sign with PS384 and ES512 but the group's key says {@code alg: PS256} and {@code alg: ES521}. A key verifies
     * only the algorithm it names (RFC 8725 §3.1), so there is no usable key for them.
     */
    private static final Set<Integer> KEY_NAMES_OTHER_ALG = Set.of(346, 347, 350, 351);

    static JsonNode load(String name) throws IOException {
        try (InputStream in = WycheproofTest.class.getResourceAsStream("/wycheproof/" + name)) {
            assertNotNull(in, name);
            return JSON.readTree(in);
        }
    }

    private static Optional<JwtVerifier> verifierFor(JsonNode keySet) {
        try {
            return Optional.of(JwtVerifier.builder()
                    .jwks(JWKSet.parse(JSON.writeValueAsString(keySet)))
                    .algorithms(JwtVerifier.SUPPORTED.keySet().toArray(String[]::new))
                    .issuer("wycheproof")
                    .audience("wycheproof")
                    .build());
        } catch (Exception e) {
            return Optional.empty(); // a key set refused at configuration: every token is rejected
        }
    }

    private static JsonNode asSet(JsonNode key) {
        return key.has("keys") ? key : JSON.createObjectNode().set("keys", JSON.createArrayNode().add(key));
    }

    @Test
    void jsonWebSignatureVectors() throws IOException {
        JsonNode root = load("json_web_signature_test.json");
        Map<String, Integer> validByJws = new HashMap<>();
        for (JsonNode g : root.get("testGroups")) {
            for (JsonNode t : g.get("tests")) {
                if (t.get("result").asText().equals("valid")) validByJws.put(g.get("comment").asText() + "|" + t.get("jws").asText(), t.get("tcId").asInt());
            }
        }
        List<String> failures = new ArrayList<>();
        Set<Integer> contradictory = new TreeSet<>(), stricter = new TreeSet<>(), otherAlg = new TreeSet<>();
        int run = 0, accepted = 0;
        for (JsonNode g : root.get("testGroups")) {
            JsonNode key = g.has("public") ? g.get("public") : g.get("private");
            Optional<JwtVerifier> verifier = verifierFor(asSet(key));
            for (JsonNode t : g.get("tests")) {
                int id = t.get("tcId").asInt();
                String jws = t.get("jws").asText();
                boolean valid = t.get("result").asText().equals("valid");
                JwtVerifier.Jws result = verifier.isPresent() ? verifier.get().checkJws(jws) : null;
                boolean ok = result != null && result.denial() == null;
                run++;
                if (valid && KEY_NAMES_OTHER_ALG.contains(id) && result != null && result.denial() == JwtVerifier.UNKNOWN_KEY) {
                    otherAlg.add(id);
                    continue;
                }
                if (ok) accepted++;
                if (!valid && ok && validByJws.containsKey(g.get("comment").asText() + "|" + jws)) {
                    contradictory.add(id); // byte-identical to a valid case of the same key: the vector file is self-contradictory
                    continue;
                }
                if (valid && !ok && STRICTER_THAN_VALID.contains(id)) {
                    stricter.add(id);
                    continue;
                }
                if (valid != ok) failures.add("tcId " + id + " (" + t.get("comment").asText() + "): expected " + t.get("result").asText() + ", got " + (ok ? "accepted" : "rejected"));
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(Set.of(367, 370), contradictory, "the only invalid cases we accept are the two identical to valid case 357");
        assertEquals(STRICTER_THAN_VALID, stricter);
        assertEquals(KEY_NAMES_OTHER_ALG, otherAlg);
        assertEquals(root.get("numberOfTests").asInt(), run);
        assertTrue(accepted > 40, "valid cases ran: " + accepted);
    }

    @Test
    void jsonWebKeyVectors() throws IOException {
        JsonNode root = load("json_web_key_test.json");
        List<String> failures = new ArrayList<>();
        for (JsonNode g : root.get("testGroups")) {
            JsonNode keySet = g.has("public") ? g.get("public") : g.get("private");
            Optional<JwtVerifier> verifier = verifierFor(asSet(keySet));
            for (JsonNode t : g.get("tests")) {
                boolean valid = t.get("result").asText().equals("valid");
                boolean ok = verifier.isPresent() && verifier.get().checkJws(t.get("jws").asText()).denial() == null;
                if (valid != ok) failures.add("tcId " + t.get("tcId").asInt() + " (" + t.get("comment").asText() + "): expected " + t.get("result").asText() + ", got " + (ok ? "accepted" : "rejected"));
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void ecdsaP256P1363VectorsThroughTheJwsSignaturePath() throws Exception {
        JsonNode root = load("ecdsa_secp256r1_sha256_p1363_test.json");
        List<String> failures = new ArrayList<>();
        int zeroCases = 0, run = 0;
        JWSHeader header = new JWSHeader(JWSAlgorithm.ES256);
        for (JsonNode g : root.get("testGroups")) {
            JsonNode pk = g.get("publicKey");
            ECKey key = new ECKey.Builder(Curve.P_256, coordinate(pk.get("wx").asText()), coordinate(pk.get("wy").asText()))
                    .algorithm(JWSAlgorithm.ES256).keyUse(KeyUse.SIGNATURE).build();
            assertTrue(JwtVerifier.usable(key, JWSAlgorithm.ES256));
            JWSVerifier v = JwtVerifier.verifierFor(key).orElseThrow();
            for (JsonNode t : g.get("tests")) {
                byte[] msg = HexFormat.of().parseHex(t.get("msg").asText());
                byte[] sig = HexFormat.of().parseHex(t.get("sig").asText());
                boolean valid = t.get("result").asText().equals("valid");
                boolean ok = JwtVerifier.verifyWith(v, key, header, msg, sig);
                run++;
                String comment = t.get("comment").asText();
                if (comment.contains("r=0") || comment.contains("s=0")) {
                    zeroCases++;
                    assertFalse(ok, "r=0 or s=0 must be rejected: tcId " + t.get("tcId").asInt());
                }
                if (valid != ok) failures.add("tcId " + t.get("tcId").asInt() + " (" + comment + "): expected " + t.get("result").asText());
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(root.get("numberOfTests").asInt(), run);
        assertTrue(zeroCases >= 10, "r=0/s=0 cases found: " + zeroCases);
    }

    /** A Wycheproof coordinate (big-endian hex, maybe with a sign byte) as the 32-byte JWK field. */
    private static Base64URL coordinate(String hex) {
        byte[] raw = new BigInteger(hex, 16).toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return Base64URL.encode(out);
    }

    @Test
    void psychicSignatureIsRejectedForAJwt() throws Exception {
        JWK ec = JWK.parse("{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ES256\",\"use\":\"sig\",\"kid\":\"k\","
                + "\"x\":\"KSexBRK64-3c_kZ4KBKLrSkDJpkZ9whgacjE32xzKDg\",\"y\":\"x3h5ZOqsAOWSH7FJimD0YGdms9loUAFVjRqXTnNBUT4\"}");
        JwtVerifier verifier = JwtVerifier.builder().jwks(new JWKSet(ec)).algorithms("ES256").issuer("i").audience("a").build();
        String header = com.nimbusds.jose.util.Base64URL.encode("{\"alg\":\"ES256\",\"kid\":\"k\"}").toString();
        String payload = com.nimbusds.jose.util.Base64URL.encode("{\"iss\":\"i\",\"aud\":\"a\",\"sub\":\"s\",\"exp\":9999999999}").toString();
        String zeros = com.nimbusds.jose.util.Base64URL.encode(new byte[64]).toString();
        assertEquals(JwtVerifier.SIGNATURE, verifier.verify(header + "." + payload + "." + zeros));
    }
}
