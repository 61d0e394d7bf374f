package dev.keys.api;

/** Receives lifecycle events. Must not block for long: it is called by admin operations. */
@FunctionalInterface
public interface AuditSink {
    AuditSink NONE = e -> { };

    void record(AuditEvent event);
}
