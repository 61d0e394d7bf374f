package dev.keys.core.ops;

/**
 * Receives one {@link VerificationEvent} per verification, from an {@link ObservingVerifier}. Called on the request
 * thread: implementations only count or enqueue.
 */
@FunctionalInterface
public interface VerificationListener {

    void onVerification(VerificationEvent event);

    /** Both listeners, in order. */
    static VerificationListener both(VerificationListener a, VerificationListener b) {
        return e -> {
            a.onVerification(e);
            b.onVerification(e);
        };
    }
}
