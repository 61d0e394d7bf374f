package dev.keys.servlet;

import dev.keys.api.ApiKey;
import dev.keys.api.Outcome;
import dev.keys.api.Verification;
import dev.keys.core.authz.KeyAuthz;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.TrustedProxies;
import dev.keys.core.lifecycle.Actor;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.verify.CredentialVerifier;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call the admin API: a credential read from {@link CredentialSources} (two answer 400
 * {@code invalid_request}), verified by a {@link CredentialVerifier} against the need of every admin call, one of
 * {@code keys:admin}, {@code keys:manage}, {@code keys:read}, {@code keys:verify} or {@code keys:self}, with the request's context ({@link Requests#context}); or, behind an
 * {@link ApiKeyFilter}, the filter's verification, checked for that need without verifying again. Denials are
 * answered through {@link Denials}, as the filter answers them.
 */
record AdminCallers(CredentialSources sources, CredentialVerifier verifier, TrustedProxies proxies, Denials denials, AdminPolicy policy) {
    /** What every admin call needs of its caller; met through roles and wildcards as any route requirement. */
    static final Requirement CALLER = Requirement.of(PermissionQuery.parse(AdminPolicy.ADMIN + " OR " + AdminPolicy.MANAGE
            + " OR " + AdminPolicy.READ + " OR " + AdminPolicy.VERIFY + " OR " + AdminPolicy.SELF));
    /** What a {@code keys:self} caller without {@code keys:read} may read: its keys, their usage and audit. */
    private static final Set<AdminRouter.Route> SELF_READS = EnumSet.of(AdminRouter.Route.KEYS, AdminRouter.Route.KEY,
            AdminRouter.Route.USAGE, AdminRouter.Route.AUDIT);

    /**
     * The right a call needs (docs/contract.md §5): {@code /keys/verify} to verify, a role's {@code PUT} or
     * {@code DELETE} to be an admin, a {@code GET} or {@code HEAD} to read, anything else to manage; for a
     * {@code keys:self} caller, self-service for reading its keys and for rotating one (the manager then holds it to
     * its own keys); {@code /openapi.json} none beyond being an admin caller, since every caller, a verify-only one
     * too, is a client of the contract it describes. Judged before the body is read, so that a reader's write answers
     * 403 whatever it sends.
     */
    static Optional<Actor.Right> need(AdminRouter.Route route, String method, String action, Actor caller) {
        if (route == AdminRouter.Route.OPENAPI) return Optional.empty();
        if (route == AdminRouter.Route.VERIFY) return Optional.of(Actor.Right.VERIFY);
        if (route == AdminRouter.Route.ROLE) return Optional.of(Actor.Right.ADMIN); // roles hold for every tenant
        boolean self = caller.may(Actor.Right.SELF) && !caller.may(Actor.Right.MANAGE);
        if (self && route == AdminRouter.Route.KEY_ACTION && action.equals("rotate")) return Optional.of(Actor.Right.SELF);
        if (!method.equals("GET") && !method.equals("HEAD")) return Optional.of(Actor.Right.MANAGE);
        return Optional.of(caller.confined() && SELF_READS.contains(route) ? Actor.Right.SELF : Actor.Right.READ);
    }

    /** The caller, or empty when a denial was answered. */
    Optional<Actor> authenticate(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) instanceof Verification.Valid v) {
            // Verified by the filter in front, perhaps for another requirement: check this one on its key.
            return actor(req, res, v.key());
        }
        String credential = sources.extract(req);
        if (credential == CredentialSources.AMBIGUOUS) {
            res.setHeader("WWW-Authenticate", Problem.challenge(denials.realm(), "invalid_request"));
            Problem.send(req, res, 400, Problem.INVALID_REQUEST, "Invalid request", "the request carries more than one credential");
            return Optional.empty();
        }
        Verification v = credential == null ? new Verification.Denied(Outcome.MISSING, "no credential was sent")
                : credential.isEmpty() ? new Verification.Denied(Outcome.MALFORMED, "the credential is empty")
                : verifier.verify(credential, Requests.context(req, proxies), CALLER);
        if (v instanceof Verification.Valid valid) {
            Problem.rateLimitFields(res, valid.rateLimits());
            return actor(req, res, valid.key());
        }
        denials.write(req, res, (Verification.Denied) v);
        return Optional.empty();
    }

    /** The caller's actor and its rights, judged with the policy's roles (those of the verifier). */
    private Optional<Actor> actor(HttpServletRequest req, HttpServletResponse res, ApiKey key) throws IOException {
        Optional<Actor> actor = policy.caller(key);
        if (actor.isEmpty()) {
            String missing = CALLER.query().explain(KeyAuthz.compile(key, policy.roles()).permissions());
            // Holding keys:self and nothing else, with no ownerId: nothing is missing from the key, but it owns nothing.
            forbidden(req, res, missing.isEmpty() ? "a " + AdminPolicy.SELF + " key without an ownerId owns no key" : missing);
        }
        return actor;
    }

    /** 403 {@code INSUFFICIENT_PERMISSIONS} with {@code insufficient_scope}: a caller short of a right. */
    void forbidden(HttpServletRequest req, HttpServletResponse res, String detail) throws IOException {
        denials.write(req, res, new Verification.Denied(Outcome.INSUFFICIENT_PERMISSIONS, detail));
    }
}
