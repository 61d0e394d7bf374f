package dev.keys.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keys.api.Clock;

import java.nio.charset.StandardCharsets;
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
 * secret ({@code KeyringSeal}), so that it can live in a database row; each key is a {@code SigningKey}.
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

    /** Keys, current first; the public set and when it next changes (a retired key drops out). */
    private record State(List<SigningKey> keys, JWKSet publicSet, long validUntilNanos) {
    }

    private final Algorithm algorithm;
    private final Duration maxTokenLifetime;
    private final Clock clock;
    private volatile State state;

    private SigningKeys(Algorithm algorithm, Duration maxTokenLifetime, Clock clock, List<SigningKey> keys) {
        this.algorithm = algorithm;
        this.maxTokenLifetime = maxTokenLifetime;
        this.clock = clock;
        this.state = snapshot(keys, clock.nanos());
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
        return new SigningKeys(algorithm, maxTokenLifetime, clock, List.of(SigningKey.generate(algorithm, clock.instant())));
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
        return state.keys.get(0).keyId();
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
        List<SigningKey> next = new ArrayList<>();
        next.add(SigningKey.generate(algorithm, now));
        for (SigningKey k : state.keys) {
            SigningKey retired = k.retire(now);
            if (!now.isAfter(publishedUntil(retired))) next.add(retired);
        }
        state = snapshot(next, clock.nanos());
        return next.get(0).keyId();
    }

    /** The public keys to publish ({@code kid}, {@code alg}, {@code use=sig}, no private part). */
    public JWKSet publicJwkSet() {
        State s = state;
        long now = clock.nanos();
        if (now >= s.validUntilNanos) {
            synchronized (this) {
                s = state;
                if (now >= s.validUntilNanos) state = s = snapshot(s.keys, now);
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
        SigningKey current = state.keys.get(0);
        JWSHeader.Builder h = new JWSHeader.Builder(algorithm.jws).keyID(current.keyId());
        typ.ifPresent(t -> h.type(new JOSEObjectType(t)));
        SignedJWT jwt = new SignedJWT(h.build(), claims);
        try {
            jwt.sign(current.signer());
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
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("alg", algorithm.name());
        json.put("maxTokenLifetime", maxTokenLifetime.getSeconds());
        List<Object> keys = new ArrayList<>();
        for (SigningKey k : state.keys) keys.add(k.toJson());
        json.put("keys", keys);
        byte[] plain = JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8);
        try {
            return KeyringSeal.seal(plain, rootSecret);
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
        byte[] plain = KeyringSeal.open(blob, rootSecret);
        try {
            Map<String, Object> json = JSONObjectUtils.parse(new String(plain, StandardCharsets.UTF_8));
            Algorithm alg = Algorithm.valueOf(JSONObjectUtils.getString(json, "alg"));
            Duration lifetime = Duration.ofSeconds(JSONObjectUtils.getLong(json, "maxTokenLifetime"));
            List<SigningKey> keys = new ArrayList<>();
            for (Map<String, Object> k : JSONObjectUtils.getJSONObjectArray(json, "keys")) keys.add(SigningKey.fromJson(k));
            if (keys.isEmpty() || keys.get(0).retiredAt().isPresent()) throw new IllegalArgumentException("the sealed keyring has no current key");
            return new SigningKeys(alg, lifetime, clock, keys);
        } catch (ParseException | RuntimeException e) {
            throw new IllegalArgumentException("the sealed signing keyring is not readable", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private Instant publishedUntil(SigningKey k) {
        return k.retiredAt().map(r -> r.plus(maxTokenLifetime).plus(SKEW_MARGIN)).orElse(Instant.MAX);
    }

    private State snapshot(List<SigningKey> keys, long nowNanos) {
        Instant now = instant(nowNanos);
        List<JWK> published = new ArrayList<>();
        long validUntil = Long.MAX_VALUE;
        for (SigningKey k : keys) {
            Instant until = publishedUntil(k);
            if (now.isAfter(until)) continue;
            published.add(k.jwk().toPublicJWK());
            if (until != Instant.MAX) validUntil = Math.min(validUntil, Clock.toNanos(until) + 1);
        }
        return new State(List.copyOf(keys), new JWKSet(published), validUntil);
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    @Override
    public String toString() {
        return "SigningKeys[alg=" + algorithm + ", current=" + currentKeyId() + ", keys=" + state.keys.size() + "]";
    }
}
