package dev.keys.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimitReport;
import dev.keys.api.Verification;
import dev.keys.core.authz.KeyAuthz;

import java.util.Optional;

/**
 * A token whose signature and claims have been checked, compiled once into what every later request with the same
 * token needs: the synthesised key, its authorization, when it stops being valid, and the answers built ahead so
 * that a cached token allocates nothing to be answered.
 *
 * @param expiresAtNanos {@code exp} plus the clock skew, on the verifier's clock
 * @param clientId       the OAuth client the token was issued to: its {@code client_id} claim (RFC 9068), else its
 *                       {@code sub}
 */
record VerifiedToken(ApiKey key, KeyAuthz authz, long expiresAtNanos, Optional<String> jti, String clientId,
                     Verification.Valid valid, Verification.Denied expired, Verification.Denied revoked) {
    static VerifiedToken of(ApiKey key, KeyAuthz authz, long expiresAtNanos, Optional<String> jti, String clientId) {
        return new VerifiedToken(key, authz, expiresAtNanos, jti, clientId, new Verification.Valid(key, RateLimitReport.NONE),
                new Verification.Denied(Outcome.EXPIRED, JwtVerifier.EXPIRED.detail(), key),
                new Verification.Denied(Outcome.REVOKED, JwtVerifier.REVOKED.detail(), key));
    }

    /** Verified tokens by the digest of their text, each kept until its own expiry (bounded, on {@code clock}). */
    static Cache<Digest, VerifiedToken> cache(long maximumSize, Clock clock) {
        return Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(clock::nanos)
                .expireAfter(new Expiry<Digest, VerifiedToken>() {
                    @Override
                    public long expireAfterCreate(Digest k, VerifiedToken t, long now) {
                        return Math.max(0, t.expiresAtNanos - now);
                    }

                    @Override
                    public long expireAfterUpdate(Digest k, VerifiedToken t, long now, long current) {
                        return expireAfterCreate(k, t, now);
                    }

                    @Override
                    public long expireAfterRead(Digest k, VerifiedToken t, long now, long current) {
                        return current;
                    }
                })
                .build();
    }
}
