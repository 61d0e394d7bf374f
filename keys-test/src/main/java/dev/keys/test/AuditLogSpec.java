package dev.keys.test;

import dev.keys.api.AuditEvent;
import dev.keys.api.AuditLog;
import dev.keys.api.Page;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The behaviour every {@link AuditLog} must have: events read back whole, newest first, filtered by tenant and key,
 * in pages that stay stable while events arrive. The memory, H2 and PostgreSQL logs all run it, and so can a log of
 * your own. Times are whole seconds, which every store keeps exactly.
 */
public abstract class AuditLogSpec {
    protected static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    protected AuditLog log;

    /** An empty log. */
    protected abstract AuditLog newLog();

    @BeforeEach
    void setUpLog() {
        log = newLog();
    }

    /** Event {@code i}: at {@code T0 + i} seconds, with a reason on two of three and changes that need escaping. */
    public static AuditEvent event(int i, String tenant, String keyId) {
        return new AuditEvent(T0.plusSeconds(i), i % 2 == 0 ? "update" : "revoke", "system", tenant, keyId,
                i % 3 == 0 ? Optional.empty() : Optional.of("reason " + i),
                Map.of("name", List.of("before \"" + i + "\"", "after\n" + i), "roles", List.of("", "[reader]")));
    }

    private static List<Long> seconds(Page<AuditEvent> p) {
        return p.items().stream().map(e -> e.at().getEpochSecond() - T0.getEpochSecond()).toList();
    }

    @Test
    void eventsComeBackWholeNewestFirstFilteredAndPaged() {
        List<AuditEvent> forA1 = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            String tenant = i % 2 == 0 ? "a" : "b";
            String key = i % 4 == 0 ? "key_1" : "key_2";
            AuditEvent e = event(i, tenant, key);
            log.record(e);
            if (tenant.equals("a") && key.equals("key_1")) forA1.add(0, e);
        }
        List<AuditEvent> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page<AuditEvent> p = log.find(Optional.of("a"), Optional.of("key_1"), 2, cursor);
            seen.addAll(p.items());
            cursor = p.nextCursor();
            pages++;
        } while (cursor.isPresent());
        assertEquals(forA1, seen);
        assertEquals(3, pages);
        assertEquals(23, log.find(Optional.empty(), Optional.empty(), 1000, Optional.empty()).items().size());
        assertEquals(12, log.find(Optional.of("a"), Optional.empty(), 1000, Optional.empty()).items().size());
        Page<AuditEvent> newest = log.find(Optional.empty(), Optional.of("key_2"), 1, Optional.empty());
        assertEquals(event(22, "a", "key_2"), newest.items().get(0));
    }

    @Test
    void pagesNewestFirstFilteredByTenantAndKey() {
        for (int i = 1; i <= 10; i++) log.record(event(i, i % 2 == 0 ? "a" : "b", "k" + (i % 3)));
        Page<AuditEvent> first = log.find(Optional.of("a"), Optional.empty(), 3, Optional.empty());
        assertEquals(List.of(10L, 8L, 6L), seconds(first));
        Page<AuditEvent> second = log.find(Optional.of("a"), Optional.empty(), 3, first.nextCursor());
        assertEquals(List.of(4L, 2L), seconds(second));
        assertTrue(second.nextCursor().isEmpty());
        assertEquals(List.of(9L, 6L, 3L), seconds(log.find(Optional.empty(), Optional.of("k0"), 10, Optional.empty())));
        assertEquals(List.of(), log.find(Optional.of("none"), Optional.empty(), 10, Optional.empty()).items());
    }

    @Test
    void pagingIsStableWhileEventsArrive() {
        for (int i = 1; i <= 4; i++) log.record(event(i, "a", "k"));
        Page<AuditEvent> first = log.find(Optional.empty(), Optional.empty(), 2, Optional.empty());
        log.record(event(5, "a", "k"));
        assertEquals(List.of(2L, 1L), seconds(log.find(Optional.empty(), Optional.empty(), 2, first.nextCursor())));
    }

    @Test
    void anyTextAndNoChangesRoundTrip() {
        AuditEvent bare = new AuditEvent(T0, "create", "key_admin", "t", "key_x", Optional.empty(), Map.of());
        AuditEvent odd = new AuditEvent(T0.plusSeconds(1), "update", "key_admin", "t", "key_x", Optional.of("tab\t, backslash \\, \u2028 and \uD83D\uDD11"),
                Map.of("meta", List.of("{\"a\":1}", "line\r\nbreak \u0007 \u00e9")));
        log.record(bare);
        log.record(odd);
        assertEquals(List.of(odd, bare), log.find(Optional.empty(), Optional.empty(), 10, Optional.empty()).items());
    }

    @Test
    void refusesBadLimitsAndCursors() {
        assertThrows(IllegalArgumentException.class, () -> log.find(Optional.empty(), Optional.empty(), 0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> log.find(Optional.empty(), Optional.empty(), 1001, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> log.find(Optional.empty(), Optional.empty(), 1, Optional.of("x")));
        assertThrows(IllegalArgumentException.class, () -> log.find(Optional.empty(), Optional.empty(), 10, Optional.of("nope")));
    }
}
