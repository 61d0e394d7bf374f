package dev.keys.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keys.api.Clock;
import dev.keys.core.format.KeyFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The issuer's keyring: one current signing key and the retired keys whose tokens may still be live. Each key has
 * one algorithm and a {@code kid}; ES256 by default, EdDSA (Ed25519) and RS256 on request.
 *
 * <p>{@link #rotate()} makes a new current key and retires the old one, which stays published in {@link #jwks()}
 * until every token it signed has expired (retire time + {@link #maxTokenLifetime()} + one minute of clock skew),
 * so tokens signed before a rotation keep verifying until their own expiry. {@link #seal}/{@link #unseal} keep the
 * whole keyring, private keys included, as one AES-256-GCM blob under a key derived by HKDF-SHA256 from a root
 * secret, so that it can live in a database row.
 *
 * <p>Thread-safe: the state is an immutable snapshot replaced as a whole by {@link #rotate()}.
 */
public final class SigningKeys {
    /** The algorithms a keyring can sign with. */
    public enum Algorithm {
        ES256(JWSAlgorithm.ES256), EdDSA(JWSAlgorithm.EdDSA), RS256(JWSAlgorithm.RS256);

        final JWSAlgorithm jws;

        Algorithm(JWSAlgorithm jws) {
            this.jws = jws;
        }

        public String jwsName() {
            return jws.getName();
        }
    }

    static final Duration SKEW_MARGIN = Duration.ofMinutes(1);
    private static final byte[] MAGIC = "KSK1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HKDF_INFO = "keys/signing-keys/v1".getBytes(StandardCharsets.US_ASCII);
    private static final int SALT = 16, NONCE = 12, TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key of the ring: the private JWK, when it became current, when it was retired (absent while current). */
    private record Slot(JWK jwk, Instant createdAt, Optional<Instant> retiredAt, JWSSigner signer) {
    }

    /** Slots, current first; the public set and when it next changes (a retired key drops out). */
    private record State(List<Slot> slots, JWKSet publicSet, long validUntilNanos) {
    }

    private final Algorithm algorithm;
    private final Duration maxTokenLifetime;
    private final Clock clock;
    private volatile State state;

    private SigningKeys(Algorithm algorithm, Duration maxTokenLifetime, Clock clock, List<Slot> slots) {
        this.algorithm = algorithm;
        this.maxTokenLifetime = maxTokenLifetime;
        this.clock = clock;
        this.state = snapshot(slots, clock.nanos());
    }

    /**
     * A new keyring with one fresh key.
     *
     * @param maxTokenLifetime the longest lifetime of a token signed by it: how long a retired key stays published
     */
    public static SigningKeys generate(Algorithm algorithm, Duration maxTokenLifetime, Clock clock) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(clock, "clock");
        if (maxTokenLifetime.isNegative() || maxTokenLifetime.isZero()) throw new IllegalArgumentException("maxTokenLifetime must be positive");
        return new SigningKeys(algorithm, maxTokenLifetime, clock, List.of(newSlot(algorithm, clock.instant())));
    }

    /** ES256, tokens of at most one hour, the system clock. */
    public static SigningKeys generate() {
        return generate(Algorithm.ES256, Duration.ofHours(1), Clock.system());
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public Duration maxTokenLifetime() {
        return maxTokenLifetime;
    }

    public String currentKeyId() {
        return state.slots.get(0).jwk.getKeyID();
    }

    /** Key ids of the published keys, current first. */
    public List<String> publishedKeyIds() {
        List<String> out = new ArrayList<>();
        for (JWK k : publicJwkSet().getKeys()) out.add(k.getKeyID());
        return out;
    }

    /**
     * Makes a new current key; the old one is retired and stays published until every token it signed has
     * expired. Keys retired longer ago than that are forgotten.
     *
     * @return the new key's id
     */
    public synchronized String rotate() {
        Instant now = clock.instant();
        List<Slot> next = new ArrayList<>();
        next.add(newSlot(algorithm, now));
        for (Slot s : state.slots) {
            Slot retired = s.retiredAt.isPresent() ? s : new Slot(s.jwk, s.createdAt, Optional.of(now), s.signer);
            if (!now.isAfter(publishedUntil(retired))) next.add(retired);
        }
        state = snapshot(next, clock.nanos());
        return next.get(0).jwk.getKeyID();
    }

    /** The public keys to publish ({@code kid}, {@code alg}, {@code use=sig}, no private part). */
    public JWKSet publicJwkSet() {
        State s = state;
        long now = clock.nanos();
        if (now >= s.validUntilNanos) {
            synchronized (this) {
                s = state;
                if (now >= s.validUntilNanos) state = s = snapshot(s.slots, now);
            }
        }
        return s.publicSet;
    }

    /** The JSON of {@link #publicJwkSet()}, for {@code GET /.well-known/jwks.json}. */
    public String jwks() {
        return JSONObjectUtils.toJSONString(publicJwkSet().toJSONObject(true));
    }

    /**
     * Signs {@code claims} with the current key into a compact JWS with {@code kid} and, when given, {@code typ}.
     * The caller keeps the token's lifetime within {@link #maxTokenLifetime()}.
     */
    public String sign(JWTClaimsSet claims, Optional<String> typ) {
        Slot current = state.slots.get(0);
        JWSHeader.Builder h = new JWSHeader.Builder(algorithm.jws).keyID(current.jwk.getKeyID());
        typ.ifPresent(t -> h.type(new JOSEObjectType(t)));
        SignedJWT jwt = new SignedJWT(h.build(), claims);
        try {
            jwt.sign(current.signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }

    /**
     * The keyring, private keys included, encrypted and authenticated with AES-256-GCM under a key derived by
     * HKDF-SHA256 from {@code rootSecret} (at least 32 bytes) and a fresh random salt. The blob is
     * {@code "KSK1" | salt(16) | nonce(12) | ciphertext+tag}.
     */
    public byte[] seal(byte[] rootSecret) {
        requireRootSecret(rootSecret);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("alg", algorithm.name());
        json.put("maxTokenLifetime", maxTokenLifetime.getSeconds());
        List<Object> keys = new ArrayList<>();
        for (Slot s : state.slots) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("jwk", s.jwk.toJSONObject());
            k.put("createdAt", s.createdAt.toString());
            s.retiredAt.ifPresent(r -> k.put("retiredAt", r.toString()));
            keys.add(k);
        }
        json.put("keys", keys);
        byte[] plain = JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8);
        byte[] salt = new byte[SALT], nonce = new byte[NONCE];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, derive(rootSecret, salt), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(MAGIC);
            byte[] ct = c.doFinal(plain);
            byte[] out = new byte[MAGIC.length + SALT + NONCE + ct.length];
            System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
            System.arraycopy(salt, 0, out, MAGIC.length, SALT);
            System.arraycopy(nonce, 0, out, MAGIC.length + SALT, NONCE);
            System.arraycopy(ct, 0, out, MAGIC.length + SALT + NONCE, ct.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** {@link #unseal(byte[], byte[], Clock)} on the system clock. */
    public static SigningKeys unseal(byte[] blob, byte[] rootSecret) {
        return unseal(blob, rootSecret, Clock.system());
    }

    /**
     * Opens a blob made by {@link #seal}.
     *
     * @throws IllegalArgumentException when the root secret is wrong or the blob was damaged or altered
     */
    public static SigningKeys unseal(byte[] blob, byte[] rootSecret, Clock clock) {
        requireRootSecret(rootSecret);
        int head = MAGIC.length + SALT + NONCE;
        if (blob.length < head + TAG_BITS / 8 || !Arrays.equals(blob, 0, MAGIC.length, MAGIC, 0, MAGIC.length))
            throw new IllegalArgumentException("not a sealed signing keyring");
        byte[] plain;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] salt = Arrays.copyOfRange(blob, MAGIC.length, MAGIC.length + SALT);
            c.init(Cipher.DECRYPT_MODE, derive(rootSecret, salt), new GCMParameterSpec(TAG_BITS, blob, MAGIC.length + SALT, NONCE));
            c.updateAAD(MAGIC);
            plain = c.doFinal(blob, head, blob.length - head);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the sealed signing keyring could not be opened: wrong root secret, or the blob was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
        try {
            Map<String, Object> json = JSONObjectUtils.parse(new String(plain, StandardCharsets.UTF_8));
            Algorithm alg = Algorithm.valueOf(JSONObjectUtils.getString(json, "alg"));
            Duration lifetime = Duration.ofSeconds(JSONObjectUtils.getLong(json, "maxTokenLifetime"));
            List<Slot> slots = new ArrayList<>();
            for (Map<String, Object> k : JSONObjectUtils.getJSONObjectArray(json, "keys")) {
                JWK jwk = JWK.parse(JSONObjectUtils.getJSONObject(k, "jwk"));
                Instant created = Instant.parse(JSONObjectUtils.getString(k, "createdAt"));
                String retired = JSONObjectUtils.getString(k, "retiredAt");
                slots.add(new Slot(jwk, created, Optional.ofNullable(retired).map(Instant::parse), signer(jwk)));
            }
            if (slots.isEmpty() || slots.get(0).retiredAt.isPresent()) throw new IllegalArgumentException("the sealed keyring has no current key");
            return new SigningKeys(alg, lifetime, clock, slots);
        } catch (ParseException | RuntimeException e) {
            throw new IllegalArgumentException("the sealed signing keyring is not readable", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static void requireRootSecret(byte[] rootSecret) {
        if (rootSecret == null || rootSecret.length < 32) throw new IllegalArgumentException("the root secret must be at least 32 bytes");
    }

    private static SecretKeySpec derive(byte[] rootSecret, byte[] salt) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(rootSecret, salt, HKDF_INFO));
        byte[] key = new byte[32];
        hkdf.generateBytes(key, 0, 32);
        return new SecretKeySpec(key, "AES");
    }

    private Instant publishedUntil(Slot s) {
        return s.retiredAt.map(r -> r.plus(maxTokenLifetime).plus(SKEW_MARGIN)).orElse(Instant.MAX);
    }

    private State snapshot(List<Slot> slots, long nowNanos) {
        Instant now = instant(nowNanos);
        List<JWK> published = new ArrayList<>();
        long validUntil = Long.MAX_VALUE;
        for (Slot s : slots) {
            Instant until = publishedUntil(s);
            if (now.isAfter(until)) continue;
            published.add(s.jwk.toPublicJWK());
            if (until != Instant.MAX) validUntil = Math.min(validUntil, Clock.toNanos(until) + 1);
        }
        return new State(List.copyOf(slots), new JWKSet(published), validUntil);
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static Slot newSlot(Algorithm algorithm, Instant now) {
        String kid = new KeyFormat().randomBase62(16);
        try {
            JWK jwk = switch (algorithm) {
                case ES256 -> new ECKeyGenerator(Curve.P_256).keyID(kid).algorithm(JWSAlgorithm.ES256).keyUse(KeyUse.SIGNATURE).generate();
                case RS256 -> new RSAKeyGenerator(2048).keyID(kid).algorithm(JWSAlgorithm.RS256).keyUse(KeyUse.SIGNATURE).generate();
                case EdDSA -> new OctetKeyPair.Builder(Ed25519Jca.generate(kid)).algorithm(JWSAlgorithm.EdDSA).keyUse(KeyUse.SIGNATURE).build();
            };
            return new Slot(jwk, now, Optional.empty(), signer(jwk));
        } catch (JOSEException e) {
            throw new IllegalStateException("key generation failed", e);
        }
    }

    private static JWSSigner signer(JWK jwk) {
        try {
            if (jwk instanceof ECKey ec) return new ECDSASigner(ec);
            if (jwk instanceof RSAKey rsa) return new RSASSASigner(rsa);
            if (jwk instanceof OctetKeyPair okp) return new Ed25519Jca.Signer(okp);
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable signing key " + jwk.getKeyID(), e);
        }
        throw new IllegalArgumentException("unsupported signing key type " + jwk.getKeyType());
    }

    @Override
    public String toString() {
        return "SigningKeys[alg=" + algorithm + ", current=" + currentKeyId() + ", keys=" + state.slots.size() + "]";
    }
}
