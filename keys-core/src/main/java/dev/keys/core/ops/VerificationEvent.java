package dev.keys.core.ops;

import dev.keys.api.ApiKey;
import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One verification as operations see it: unlike {@link dev.keys.api.UsageEvent}, also for credentials that matched
 * no key ({@code MALFORMED}, {@code NOT_FOUND}, {@code STORE_UNAVAILABLE}), with the client address and the time
 * the verification took. Never holds the credential.
 *
 * @param keyId          the matched key, empty when the credential matched none
 * @param tenant         the matched key's tenant
 * @param clientAddress  the client's address after the trusted-proxy rule, when the caller knew it
 * @param atNanos        when, from the {@link dev.keys.api.Clock}
 * @param durationNanos  how long {@code verify} took, 0 when not measured
 */
public record VerificationEvent(Outcome outcome, Optional<String> keyId, Optional<String> tenant,
                                Optional<InetAddress> clientAddress, long atNanos, long durationNanos) {
    public VerificationEvent {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(clientAddress, "clientAddress");
    }

    /** The event of one verification, for callers (a servlet filter, say) that call the verifier themselves. */
    public static VerificationEvent of(Verification v, RequestContext ctx, long atNanos, long durationNanos) {
        Optional<ApiKey> key = v instanceof Verification.Valid ok ? Optional.of(ok.key()) : ((Verification.Denied) v).key();
        return new VerificationEvent(v.outcome(), key.map(ApiKey::id), key.map(ApiKey::tenant), ctx.clientAddress(), atNanos, durationNanos);
    }
}
