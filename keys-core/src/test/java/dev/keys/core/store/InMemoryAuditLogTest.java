package dev.keys.core.store;

import dev.keys.api.AuditLog;
import dev.keys.test.AuditLogSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InMemoryAuditLogTest extends AuditLogSpec {
    @Override
    protected AuditLog newLog() {
        return new InMemoryAuditLog();
    }

    @Test
    void keepsOnlyTheNewestCapacityEvents() {
        InMemoryAuditLog small = new InMemoryAuditLog(3);
        for (int i = 1; i <= 5; i++) small.record(event(i, "a", "k"));
        assertEquals(3, small.size());
        assertEquals(List.of(5L, 4L, 3L), small.find(Optional.empty(), Optional.empty(), 10, Optional.empty())
                .items().stream().map(e -> e.at().getEpochSecond() - T0.getEpochSecond()).toList());
    }
}
