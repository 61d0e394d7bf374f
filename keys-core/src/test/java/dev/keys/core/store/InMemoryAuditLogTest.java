package dev.keys.core.store;

import dev.keys.api.AuditEvent;
import dev.keys.api.Page;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class InMemoryAuditLogTest {
    static AuditEvent event(int i, String tenant, String keyId) {
        return new AuditEvent(Instant.ofEpochSecond(i), "update", "system", tenant, keyId, Optional.empty(), Map.of());
    }

    @Test
    void pagesNewestFirstFilteredByTenantAndKey() {
        InMemoryAuditLog log = new InMemoryAuditLog();
        for (int i = 1; i <= 10; i++) log.record(event(i, i % 2 == 0 ? "a" : "b", "k" + (i % 3)));
        Page<AuditEvent> first = log.find(Optional.of("a"), Optional.empty(), 3, Optional.empty());
        assertEquals(List.of(10L, 8L, 6L), first.items().stream().map(e -> e.at().getEpochSecond()).toList());
        Page<AuditEvent> second = log.find(Optional.of("a"), Optional.empty(), 3, first.nextCursor());
        assertEquals(List.of(4L, 2L), second.items().stream().map(e -> e.at().getEpochSecond()).toList());
        assertTrue(second.nextCursor().isEmpty());
        assertEquals(List.of(9L, 6L, 3L), log.find(Optional.empty(), Optional.of("k0"), 10, Optional.empty())
                .items().stream().map(e -> e.at().getEpochSecond()).toList());
    }

    @Test
    void pagingIsStableWhileEventsArrive() {
        InMemoryAuditLog log = new InMemoryAuditLog();
        for (int i = 1; i <= 4; i++) log.record(event(i, "a", "k"));
        Page<AuditEvent> first = log.find(Optional.empty(), Optional.empty(), 2, Optional.empty());
        log.record(event(5, "a", "k"));
        List<Long> seen = new ArrayList<>();
        log.find(Optional.empty(), Optional.empty(), 2, first.nextCursor()).items().forEach(e -> seen.add(e.at().getEpochSecond()));
        assertEquals(List.of(2L, 1L), seen);
    }

    @Test
    void keepsOnlyTheNewestCapacityEvents() {
        InMemoryAuditLog log = new InMemoryAuditLog(3);
        for (int i = 1; i <= 5; i++) log.record(event(i, "a", "k"));
        assertEquals(3, log.size());
        assertEquals(List.of(5L, 4L, 3L), log.find(Optional.empty(), Optional.empty(), 10, Optional.empty())
                .items().stream().map(e -> e.at().getEpochSecond()).toList());
    }

    @Test
    void refusesBadLimitsAndCursors() {
        InMemoryAuditLog log = new InMemoryAuditLog();
        assertThrows(IllegalArgumentException.class, () -> log.find(Optional.empty(), Optional.empty(), 0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> log.find(Optional.empty(), Optional.empty(), 1001, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> log.find(Optional.empty(), Optional.empty(), 1, Optional.of("x")));
    }
}
