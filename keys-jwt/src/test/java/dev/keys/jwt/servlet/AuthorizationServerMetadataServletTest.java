package dev.keys.jwt.servlet;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AuthorizationServerMetadataServletTest {
    @Test
    void theIssuerIsAnHttpUrlWithoutQueryOrFragment() {
        for (String bad : new String[] {"keys-example", "urn:keys:example", "ftp://h", "https://h/?x=1", "https://h/#f",
                "https://user@h", "https:///nohost", "not a url"}) {
            assertThrows(IllegalArgumentException.class, () -> AuthorizationServerMetadataServlet.builder(bad), bad);
        }
        assertThrows(IllegalArgumentException.class,
                () -> AuthorizationServerMetadataServlet.builder("https://h").tokenEndpoint(URI.create("/oauth/token")));
    }

    @Test
    void isMountedAtTheWellKnownPathFollowedByTheIssuerPath() {
        assertEquals("/.well-known/oauth-authorization-server", AuthorizationServerMetadataServlet.builder("https://h").build().path());
        assertEquals("/.well-known/oauth-authorization-server", AuthorizationServerMetadataServlet.builder("http://127.0.0.1:8080/").build().path());
        assertEquals("/.well-known/oauth-authorization-server/tenant/a",
                AuthorizationServerMetadataServlet.builder("https://h/tenant/a").build().path());
    }
}
