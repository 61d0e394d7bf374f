package dev.keys.api;

import java.util.Optional;

/** An append-only audit sink that can also be read back, newest first. */
public interface AuditLog extends AuditSink {

    /**
     * Events filtered by tenant and/or key id, newest first, {@code limit} (1 to 1000) per page, continuing from an
     * opaque cursor returned by an earlier page.
     */
    Page<AuditEvent> find(Optional<String> tenant, Optional<String> keyId, int limit, Optional<String> cursor);
}
