package dev.keys.core.verify;

import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.Environment;
import dev.keys.api.KeyStatus;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimitReport;
import dev.keys.api.Verification;
import dev.keys.core.authz.KeyAuthz;
import dev.keys.core.authz.Roles;
import dev.keys.api.Quota;
import dev.keys.core.limit.EffectiveLimits;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.RateLimiter;
import dev.keys.core.limit.Tiers;

import java.util.Optional;

/**
 * Everything a request needs about one key, compiled once when the key is loaded and replaced, never mutated,
 * when the key changes. Answers that do not depend on the request are built here, so that the hot path returns
 * a preallocated object.
 *
 * <p>Memory: a verifier holds up to a million of these, so an entry keeps only what the hot path reads, 48 bytes
 * (see CacheMemory in keys-jmh): the answer a key with rate limits never returns ({@code valid}) is made only for
 * keys without any, and the expiry denial, which a key answers at most until its entry is dropped, when it is needed;
 * the compiled permissions and bandwidths are shared with every key of the same grants and limits.
 */
final class Entry {
    final ApiKey key;
    final long expiresAtNanos;
    /** The denial for the key's status, or null when the status lets requests through. */
    final Verification.Denied statusDenial;
    final Verification.Denied wrongEnvironment;
    /** The answer of an admitted request with no rate-limit report; null when the key has rate limits. */
    private final Verification.Valid valid;
    final KeyAuthz authz;
    /** The roles {@link #authz} was compiled with: the verifier compiles again when they are no longer current. */
    final Roles roles;
    /** Carried over from the entry this one replaces when the limits did not change, so no bucket refills early. */
    final RateLimiter limiter;
    /** The effective quota when step 6 must consult the usage counters (a quota or remaining uses), else null. */
    final Optional<Quota> quota;

    Entry(ApiKey key, Optional<Environment> acceptedEnvironment, Roles roles, Tiers tiers, LimiterFactory limiters, Entry previous) {
        this.key = key;
        this.roles = roles;
        this.authz = KeyAuthz.compile(key, roles);
        EffectiveLimits limits = tiers.effective(key);
        this.limiter = previous != null && LimiterFactory.reusable(previous.limiter, previous.key, key, limits.ratelimits())
                ? previous.limiter : limiters.create(key, limits.ratelimits());
        this.quota = limits.quota().isPresent() || key.remaining().isPresent() ? limits.quota() : null;
        this.expiresAtNanos = key.expiresAt().map(Clock::toNanos).orElse(Long.MAX_VALUE);
        this.statusDenial = statusDenial(key);
        this.wrongEnvironment = acceptedEnvironment.isPresent() && acceptedEnvironment.get() != key.environment()
                ? new Verification.Denied(Outcome.FORBIDDEN, "a " + key.environment().wireName() + " key is not accepted here", key)
                : null;
        this.valid = limiter == RateLimiter.NONE ? new Verification.Valid(key, RateLimitReport.NONE) : null;
    }

    /** The answer of an admitted request whose limiter reported nothing. */
    Verification.Valid valid() {
        return valid != null ? valid : new Verification.Valid(key, RateLimitReport.NONE);
    }

    /** The answer once the key expired. */
    Verification.Denied expired() {
        return new Verification.Denied(Outcome.EXPIRED, "the key expired", key);
    }

    private static Verification.Denied statusDenial(ApiKey key) {
        KeyStatus s = key.status();
        return switch (s) {
            case ACTIVE -> null;
            case REVOKED -> new Verification.Denied(Outcome.REVOKED, "the key was revoked", key);
            case DISABLED -> new Verification.Denied(Outcome.DISABLED, "the key is disabled", key);
            case PENDING_APPROVAL -> new Verification.Denied(Outcome.NOT_APPROVED, "the key awaits approval", key);
            case REJECTED -> new Verification.Denied(Outcome.NOT_APPROVED, "the key was not approved", key);
        };
    }
}
