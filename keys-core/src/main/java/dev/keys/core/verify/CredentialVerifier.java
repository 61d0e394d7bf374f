package dev.keys.core.verify;

import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.authz.Requirement;

import java.util.List;
import java.util.Objects;

/**
 * Turns a credential into a {@link Verification}: the one interface the filter, the admin API and observers
 * (metrics, alerts) work with, whatever the credential is. {@link Verifier} verifies API keys; {@code keys-jwt}'s
 * {@code JwtVerifier} verifies JWT bearer tokens; {@link #firstAccepting} composes several, and decorators (such as
 * {@code ObservingVerifier}) wrap one. Implementations are thread-safe and answer expected outcomes as values,
 * never by throwing.
 */
public interface CredentialVerifier {
    /** What {@link #authType} answers unless a verifier says otherwise: the credential was an API key. */
    String API_KEY = "API_KEY";
    /**
     * Verifies a credential for a request that must meet {@code requirement}. {@code null} or empty means no
     * credential was sent ({@code MISSING}).
     */
    Verification verify(CharSequence credential, RequestContext ctx, Requirement requirement);

    /** Verifies a credential for a request, with no permission or route requirement. */
    default Verification verify(CharSequence credential, RequestContext ctx) {
        return verify(credential, ctx, Requirement.NONE);
    }

    /** Verifies a credential with no request context: authentication and credential state only. */
    default Verification verify(CharSequence credential) {
        return verify(credential, RequestContext.NONE, Requirement.NONE);
    }

    /**
     * Whether this verifier is the one for {@code credential}, judged by its shape alone (no I/O, no allocation):
     * how a composition picks one. Default: every credential.
     */
    default boolean accepts(CharSequence credential) {
        return true;
    }

    /**
     * The kind of credential {@code credential} was verified as, named for {@code HttpServletRequest.getAuthType()}
     * of a request it admitted: {@value #API_KEY} unless the verifier says otherwise ({@code JwtVerifier}: "JWT").
     * A composition answers for the verifier it picks, a decorator for the one it wraps.
     */
    default String authType(CharSequence credential) {
        return API_KEY;
    }

    /**
     * The first of {@code verifiers} that {@linkplain #accepts accepts} a credential verifies it; a credential none
     * accepts goes to the last one (so put the catch-all, usually the API-key {@link Verifier}, last).
     */
    static CredentialVerifier firstAccepting(List<? extends CredentialVerifier> verifiers) {
        if (verifiers.isEmpty()) throw new IllegalArgumentException("at least one verifier is needed");
        CredentialVerifier[] all = verifiers.stream().map(Objects::requireNonNull).toArray(CredentialVerifier[]::new);
        if (all.length == 1) return all[0];
        return new CredentialVerifier() {
            @Override
            public Verification verify(CharSequence credential, RequestContext ctx, Requirement requirement) {
                return pick(credential).verify(credential, ctx, requirement);
            }

            @Override
            public boolean accepts(CharSequence credential) {
                for (CredentialVerifier v : all) if (v.accepts(credential)) return true;
                return false;
            }

            @Override
            public String authType(CharSequence credential) {
                return pick(credential).authType(credential);
            }

            private CredentialVerifier pick(CharSequence credential) {
                if (credential != null) {
                    for (int i = 0; i < all.length - 1; i++) if (all[i].accepts(credential)) return all[i];
                }
                return all[all.length - 1];
            }
        };
    }
}
