package dev.keys.core.ops;

/**
 * Receives alerts, on the alert evaluator's scheduler (never a request thread). Implementations that do I/O only
 * queue the alert and send it asynchronously ({@link WebhookAlertSink} does) so that evaluation, and the other
 * background work sharing that scheduler, is not held up.
 */
@FunctionalInterface
public interface AlertListener {

    void onAlert(Alert alert);
}
