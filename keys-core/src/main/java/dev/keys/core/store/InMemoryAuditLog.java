package dev.keys.core.store;

import dev.keys.api.AuditEvent;
import dev.keys.api.AuditLog;
import dev.keys.api.Page;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * An audit log in memory: the newest {@code capacity} events (default 100,000), oldest dropped first. For tests and
 * single-instance services; a deployment that must keep its audit trail uses a durable store.
 *
 * <p>Each event gets a sequence number when recorded; a page's cursor is the sequence of its last event, so that
 * paging stays stable while new events arrive.
 */
public final class InMemoryAuditLog implements AuditLog {
    public static final int DEFAULT_CAPACITY = 100_000;
    private static final int MAX_LIMIT = 1000;

    private record Numbered(long sequence, AuditEvent event) {
    }

    private final int capacity;
    /** Oldest first. */
    private final ArrayDeque<Numbered> events = new ArrayDeque<>();
    private long sequence;

    public InMemoryAuditLog() {
        this(DEFAULT_CAPACITY);
    }

    public InMemoryAuditLog(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be positive");
        this.capacity = capacity;
    }

    @Override
    public synchronized void record(AuditEvent event) {
        java.util.Objects.requireNonNull(event, "event");
        events.addLast(new Numbered(++sequence, event));
        if (events.size() > capacity) events.removeFirst();
    }

    /**
     * @throws IllegalArgumentException when {@code limit} is not between 1 and 1000, or the cursor is not one this
     *                                  log returned
     */
    @Override
    public synchronized Page<AuditEvent> find(Optional<String> tenant, Optional<String> keyId, int limit, Optional<String> cursor) {
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        long before = cursor.map(InMemoryAuditLog::parseCursor).orElse(Long.MAX_VALUE);
        List<AuditEvent> items = new ArrayList<>();
        long last = 0;
        for (Iterator<Numbered> it = events.descendingIterator(); it.hasNext(); ) {
            Numbered n = it.next();
            if (n.sequence >= before) continue;
            AuditEvent e = n.event;
            if (tenant.isPresent() && !tenant.get().equals(e.tenant())) continue;
            if (keyId.isPresent() && !keyId.get().equals(e.keyId())) continue;
            if (items.size() == limit) return new Page<>(items, Optional.of(Long.toString(last)));
            items.add(e);
            last = n.sequence;
        }
        return new Page<>(items, Optional.empty());
    }

    /** Number of events held. */
    public synchronized int size() {
        return events.size();
    }

    private static long parseCursor(String c) {
        try {
            long v = Long.parseLong(c);
            if (v < 1) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor is not one this log returned");
        }
    }
}
