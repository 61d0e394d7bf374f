package dev.keys.core.lifecycle;

import dev.keys.api.OAuthClient;

import java.util.Objects;

/**
 * A new client and its secret: the only time the secret exists in plaintext. Answer {@code 201
 * {clientId, clientSecret}} with it and drop it. {@link #toString()} leaves the secret out.
 */
public record IssuedClient(OAuthClient client, String clientSecret) {
    public IssuedClient {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(clientSecret, "clientSecret");
    }

    public String clientId() {
        return client.clientId();
    }

    @Override
    public String toString() {
        return "IssuedClient[client=" + client + ", clientSecret=<redacted>]";
    }
}
