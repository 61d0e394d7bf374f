package dev.keys.core;

import dev.keys.api.AuditEvent;
import dev.keys.api.Verification;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

/** Every public type that can hold a key, printed every way, never shows the plaintext or the digest. */
class NoPlaintextLeakTest {
    @Test
    void noTypePrintsAPlaintextKeyOrItsDigest() {
        List<AuditEvent> audit = new ArrayList<>();
        InMemoryKeyStore store = new InMemoryKeyStore();
        try (Keys keys = Keys.builder().store(store).audit(audit::add).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            IssuedKey k = keys.manager().create(NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
            IssuedKey r = keys.manager().rotate(k.key().id(), Duration.ofMinutes(1), SYSTEM);
            keys.manager().revoke(r.key().id(), SYSTEM, Optional.empty());
            List<String> printed = new ArrayList<>();
            printed.add(k.toString());
            printed.add(r.toString());
            printed.add(k.key().toString());
            printed.add(k.key().digest().toString());
            Verification v1 = keys.verifier().verify(k.plaintext());
            Verification v2 = keys.verifier().verify(r.plaintext());
            Verification v3 = keys.verifier().verify(k.plaintext() + "x");
            printed.add(v1.toString());
            printed.add(v2.toString());
            printed.add(v3.toString());
            audit.forEach(e -> printed.add(e.toString()));
            try {
                keys.manager().importKey(k.plaintext().substring(0, 20), NewKey.builder("sk_live").build(), SYSTEM);
            } catch (RuntimeException e) {
                printed.add(e.toString());
            }
            try {
                keys.manager().importKey(k.plaintext(), NewKey.builder("sk_live").build(), SYSTEM);
            } catch (RuntimeException e) {
                printed.add(e.toString());
            }
            for (String secret : List.of(k.plaintext(), r.plaintext(), k.plaintext().substring(8, 30), r.plaintext().substring(8, 30),
                    k.key().digest().toHex(), r.key().digest().toHex())) {
                for (String p : printed) assertFalse(p.contains(secret), p);
            }
        }
    }
}
