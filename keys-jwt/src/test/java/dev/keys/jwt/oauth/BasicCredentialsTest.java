package dev.keys.jwt.oauth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.*;

/** HTTP Basic client credentials (RFC 6749 §2.3.1): form-urlencoded parts, strict errors, never printed. */
class BasicCredentialsTest {
    static String header(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    static BasicCredentials parse(String header) {
        return BasicCredentials.decode(BasicCredentials.basicPart(header));
    }

    @Test
    void partsAreFormDecoded() {
        BasicCredentials c = parse(header("client%3A1:s%2Bcr%C3%A9t+x"));
        assertEquals("client:1", c.clientId());
        assertEquals("s+crét x", c.clientSecret());
        assertEquals("id", parse("  bAsIc   " + Base64.getEncoder().encodeToString("id:".getBytes()) + " ").clientId());
    }

    @Test
    void otherSchemesAndMalformedCredentialsAreRefused() {
        assertEquals(OAuthError.INVALID_CLIENT, assertThrows(OAuthException.class, () -> BasicCredentials.basicPart("Bearer abc")).error());
        assertEquals(OAuthError.INVALID_REQUEST, assertThrows(OAuthException.class, () -> parse("Basic !!!")).error());
        assertEquals(OAuthError.INVALID_REQUEST, assertThrows(OAuthException.class, () -> parse(header("no colon"))).error());
        assertEquals(OAuthError.INVALID_REQUEST, assertThrows(OAuthException.class, () -> parse(header("id:%zz"))).error());
    }

    @Test
    void toStringLeavesTheSecretOut() {
        BasicCredentials c = parse(header("client_1:cs_verysecretvalue"));
        assertFalse(c.toString().contains("verysecret"), c.toString());
        assertTrue(c.toString().contains("client_1"));
    }
}
