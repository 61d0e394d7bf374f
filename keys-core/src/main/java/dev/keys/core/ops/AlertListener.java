package dev.keys.core.ops;

/**
 * Receives alerts, on the alert evaluator's thread (never a request thread). Implementations that do I/O hand the
 * alert to their own thread ({@link WebhookAlertSink} does) so that evaluation is not held up.
 */
@FunctionalInterface
public interface AlertListener {

    void onAlert(Alert alert);
}
