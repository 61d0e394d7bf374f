package dev.keys.servlet;

import dev.keys.api.ApiKey;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimitReport;
import dev.keys.api.Verification;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * How a deployment answers a denied verification: the realm of its challenges, whether {@code NOT_FOUND},
 * {@code EXPIRED} and {@code REVOKED} answer alike (opaque), and the {@code Retry-After} of a 503. The filter and
 * the admin API answer their callers through the same one.
 */
record Denials(String realm, boolean opaque, long storeRetryAfterSeconds) {
    static final String OPAQUE_DETAIL = "the key is not valid";

    /** Writes the answer of a denial exactly as docs/contract.md §3 says. */
    void write(HttpServletRequest request, HttpServletResponse response, Verification.Denied d) throws IOException {
        Outcome real = d.outcome();
        boolean hide = opaque && (real == Outcome.NOT_FOUND || real == Outcome.EXPIRED || real == Outcome.REVOKED);
        Outcome shown = hide ? Outcome.NOT_FOUND : real;
        String detail = hide ? OPAQUE_DETAIL : d.detail();
        switch (shown.httpStatus()) {
            case 401 -> response.setHeader("WWW-Authenticate", Problem.challenge(realm, shown == Outcome.MISSING ? null : "invalid_token"));
            case 403 -> {
                if (shown == Outcome.INSUFFICIENT_PERMISSIONS) response.setHeader("WWW-Authenticate", Problem.challenge(realm, "insufficient_scope"));
            }
            case 429 -> {
                RateLimitReport r = d.rateLimits();
                if (r.retryAfterSeconds() > 0) response.setHeader("Retry-After", Long.toString(r.retryAfterSeconds()));
                Problem.rateLimitFields(response, r);
            }
            case 503 -> response.setHeader("Retry-After", Long.toString(storeRetryAfterSeconds));
            default -> { }
        }
        String id = Problem.send(request, response, shown, detail);
        if (ApiKeyFilter.LOG.isLoggable(System.Logger.Level.DEBUG)) {
            ApiKeyFilter.LOG.log(System.Logger.Level.DEBUG, "keys: denied {0} for key {1}, request {2}", real,
                    d.key().map(ApiKey::id).orElse("-"), id);
        }
    }
}
