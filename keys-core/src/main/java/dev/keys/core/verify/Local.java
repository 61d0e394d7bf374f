package dev.keys.core.verify;

import dev.keys.api.UsageEvent;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.zip.CRC32;

/** Per-thread state, one thread-local lookup per verification: the credential's bytes, CRC32, hash, probe. */
final class Local {
    final byte[] bytes = new byte[KeyFormat.MAX_IMPORTED_LENGTH];
    final CRC32 crc = new CRC32();
    final MessageDigest hash;
    final byte[] out = new byte[32];
    final DigestKey probe = new DigestKey();
    /** The plain SHA-256 of the credential, beside {@link #probe}: a peppered verifier asks both in one verification. */
    final DigestKey plain = new DigestKey();
    private MessageDigest sha256;
    /** What the request being verified counted, from the quota check to its usage event; empty otherwise. */
    Optional<UsageEvent.Spent> spent = Optional.empty();

    Local(KeyHasher hasher) {
        this.hash = hasher.newMessageDigest();
    }

    /** The plain SHA-256 of the first {@code len} bytes, in {@link #plain} (peppered verifiers only). */
    DigestKey sha256(int len) {
        if (sha256 == null) sha256 = KeyHasher.sha256().newMessageDigest();
        return digest(sha256, len, plain);
    }

    private DigestKey digest(MessageDigest md, int len, DigestKey into) {
        md.update(bytes, 0, len);
        try {
            md.digest(out, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException("hashing failed", e);
        }
        return into.set(out);
    }

    /** The digest of the first {@code len} bytes, in the probe: allocates nothing. */
    DigestKey hash(int len) {
        return digest(hash, len, probe);
    }
}
