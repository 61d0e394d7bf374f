package dev.keys.examples;

import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;

import java.time.Duration;
import java.util.Optional;

/** Issues a key, verifies it, rotates it and revokes it: the library's lifecycle in one screen. */
public final class ExampleService {
    public static void main(String[] args) {
        try (Keys keys = Keys.builder().build()) {
            IssuedKey issued = keys.manager().create(
                    NewKey.builder("acme_live").ownerId("acme").permissions("documents:read").build(), KeyManager.SYSTEM);
            System.out.println("issued " + issued.key().id() + " (shown once): " + issued.plaintext());
            report("verify", keys.verifier().verify(issued.plaintext()));
            report("verify a typo", keys.verifier().verify(issued.plaintext().replace('a', 'b')));
            IssuedKey rotated = keys.manager().rotate(issued.key().id(), Duration.ZERO, KeyManager.SYSTEM);
            report("verify the old key after rotation", keys.verifier().verify(issued.plaintext()));
            report("verify the new key", keys.verifier().verify(rotated.plaintext()));
            keys.manager().revoke(rotated.key().id(), KeyManager.SYSTEM, Optional.of("demo"));
            report("verify after revocation", keys.verifier().verify(rotated.plaintext()));
        }
    }

    private static void report(String what, Verification v) {
        System.out.println(what + ": " + v.outcome());
    }
}
