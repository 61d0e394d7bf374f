package dev.keys.jwt;

import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.IssuedClient;
import dev.keys.core.lifecycle.NewClient;
import dev.keys.core.store.InMemoryClientStore;
import dev.keys.jwt.oauth.TokenRequest;
import dev.keys.jwt.oauth.TokenResponse;
import dev.keys.jwt.oauth.TokenService;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Every OAuth type that can hold a client secret or a token, printed, never shows it. */
class NoPlaintextLeakTest {
    @Test
    void noOAuthTypePrintsAClientSecretOrAToken() {
        ClientManager clients = ClientManager.builder(new InMemoryClientStore()).build();
        IssuedClient c = clients.create(new NewClient("reports", "default", Set.of(), Set.of("hello:read"), List.of()));
        TokenService tokens = TokenService.builder(clients, SigningKeys.generate()).issuer("https://issuer.test").audience("api").build();
        TokenResponse t = tokens.issue(c.client().clientId(), c.clientSecret(), Optional.empty());
        TokenRequest r = TokenRequest.parse("grant_type=client_credentials&client_id=" + c.client().clientId() + "&client_secret=" + c.clientSecret(), Optional.empty());
        List<String> printed = List.of(c.toString(), c.client().toString(), t.toString(), r.toString());
        for (String p : printed) {
            assertFalse(p.contains(c.clientSecret()), p);
            assertFalse(p.contains(c.clientSecret().substring(3, 23)), p);
            assertFalse(p.contains(t.accessToken()), p);
        }
    }
}
