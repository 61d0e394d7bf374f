package dev.keys.core.ops;

import dev.keys.api.Clock;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.authz.Requirement;
import dev.keys.core.verify.CredentialVerifier;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link CredentialVerifier} seen from operations: each call is timed and reported to a {@link VerificationListener}
 * (metrics, alerts) with its outcome, key and client address, including the outcomes the verifier's
 * {@code UsageSink} never sees because no key matched. The cost is two {@code System.nanoTime} reads, one clock read
 * and one small event per call; a service that wants neither metrics nor alerts calls the {@code Verifier} directly
 * and pays nothing. It is the one place where verifications are timed and observed: the servlet filter's
 * {@code listener} option and {@code KeysMetrics.observe} wrap a verifier in one. A listener that throws does not fail the request: the failure is counted in
 * {@link #listenerFailures()}.
 */
public final class ObservingVerifier implements CredentialVerifier {
    private final CredentialVerifier verifier;
    private final Clock clock;
    private final VerificationListener listener;
    private final LongAdder failures = new LongAdder();

    private ObservingVerifier(CredentialVerifier verifier, Clock clock, VerificationListener listener) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** {@code clock} should be the verifier's, so that alert windows and the verifier agree on the time. */
    public static ObservingVerifier of(CredentialVerifier verifier, Clock clock, VerificationListener listener) {
        return new ObservingVerifier(verifier, clock, listener);
    }

    @Override
    public Verification verify(CharSequence credential, RequestContext ctx, Requirement requirement) {
        long start = System.nanoTime();
        Verification v = verifier.verify(credential, ctx, requirement);
        long took = Math.max(1, System.nanoTime() - start);
        try {
            listener.onVerification(VerificationEvent.of(v, ctx, clock.nanos(), took));
        } catch (RuntimeException e) {
            failures.increment();
        }
        return v;
    }

    @Override
    public boolean accepts(CharSequence credential) {
        return verifier.accepts(credential);
    }

    @Override
    public String authType(CharSequence credential) {
        return verifier.authType(credential);
    }

    /** The wrapped verifier. */
    public CredentialVerifier verifier() {
        return verifier;
    }

    /** Listener calls that threw (and were ignored). */
    public long listenerFailures() {
        return failures.sum();
    }
}
