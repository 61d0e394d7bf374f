package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.StoreException;
import dev.keys.core.format.KeyFormat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Optional;

/** The rules of keys imported from another system (docs/contract.md §2 and §5), for {@link KeyManager}. */
final class Imports {
    private Imports() {
    }

    /** {@code key_} and 22 base62 characters of the SHA-256 of tenant and external id: the same item, the same id. */
    static String id(String tenant, String externalId) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256")
                    .digest((tenant + "\u0000" + externalId).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        String digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder sb = new StringBuilder("key_");
        for (int i = 0; i < 22; i++) sb.append(digits.charAt((h[i] & 0xff) % 62));
        return sb.toString();
    }

    static String start(String plaintext) {
        return KeyFormat.isWellFormed(plaintext) ? KeyFormat.start(plaintext) : plaintext.substring(0, 4);
    }

    static void check(String plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        int n = plaintext.length();
        if (n < KeyFormat.MIN_IMPORTED_LENGTH || n > KeyFormat.MAX_IMPORTED_LENGTH) {
            throw new IllegalArgumentException("an imported key must be 16 to 256 characters long");
        }
        for (int i = 0; i < n; i++) {
            char c = plaintext.charAt(i);
            if (c < 0x21 || c > 0x7e) throw new IllegalArgumentException("an imported key must be printable ASCII without spaces");
        }
        if (KeyFormat.estimateEntropyBits(plaintext) < KeyManager.MIN_IMPORTED_ENTROPY_BITS) {
            throw new IllegalArgumentException("the imported key is too guessable (estimated below 128 bits of entropy)");
        }
    }

    /** One item of a batch import, idempotent by {@code externalId} (docs/contract.md §5). */
    static Optional<ApiKey> item(KeyManager m, NewKey request, String externalId, Digest digest, String start, Actor actor, boolean hashed) {
        if (externalId.isEmpty() || externalId.length() > 200) throw new IllegalArgumentException("externalId must be 1 to 200 characters");
        m.policy.checkCreate(actor, request);
        String id = Imports.id(request.tenant(), externalId);
        if (m.store.findById(id).isPresent()) return Optional.empty();
        ApiKey key;
        try {
            key = m.store.create(m.fromRequest(request, digest, start, actor).toBuilder().id(id).build());
        } catch (StoreException.Duplicate e) {
            if (m.store.findById(id).isPresent()) return Optional.empty(); // a concurrent import of the same item
            throw e;
        }
        if (hashed) m.sha256Imported.run();
        m.written(key, "import", actor, Optional.of("externalId " + externalId), Audits.diff(ApiKey.class, null, key, KeyManager.UNAUDITED));
        return Optional.of(key);
    }
}
