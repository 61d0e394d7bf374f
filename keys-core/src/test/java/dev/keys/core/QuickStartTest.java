package dev.keys.core;

import dev.keys.api.Outcome;
import dev.keys.api.Verification;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The README's quick start, as written there (with keys-core alone on the class path), keeps doing what it says. */
class QuickStartTest {
    @Test
    void theReadmeQuickStartWorks() {
        String owner = null;
        try (Keys keys = Keys.builder().build()) {
            IssuedKey issued = keys.manager().create(
                NewKey.builder("acme_live").ownerId("acme").permissions("documents:read").build(), KeyManager.SYSTEM);
            String plaintext = issued.plaintext();
            Verification v = keys.verifier().verify(plaintext);
            if (v instanceof Verification.Valid valid) owner = valid.key().ownerId();
            keys.manager().revoke(issued.key().id(), KeyManager.SYSTEM, Optional.of("leaked"));
            assertEquals(Outcome.REVOKED, keys.verifier().verify(plaintext).outcome(), "fails from the next verify");
        }
        assertEquals("acme", owner);
    }
}
