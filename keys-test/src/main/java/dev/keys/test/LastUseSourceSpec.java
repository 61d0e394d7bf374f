package dev.keys.test;

import dev.keys.api.LastUseSource;
import dev.keys.api.Outcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The behaviour every {@link LastUseSource} must have: the newest verification of a key, of any outcome, within the
 * source's {@link #precision()}, and nothing for keys never seen. The memory source and the JDBC one (fed by the
 * usage log) both run it, and so can a source of your own.
 */
public abstract class LastUseSourceSpec {
    protected static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    protected LastUseSource source;

    /** A source on an empty backend. */
    protected abstract LastUseSource newSource();

    /**
     * Tells the source under test, the way it learns of verifications in production (a usage sink, a usage log),
     * that {@code keyId} was verified with {@code outcome} at {@code at}, and makes that visible (flushes).
     */
    protected abstract void verified(String keyId, Outcome outcome, Instant at);

    /**
     * How much earlier than the verification a source may answer: a source that counts per minute answers the
     * minute's start. Default one minute.
     */
    protected Duration precision() {
        return Duration.ofMinutes(1);
    }

    @BeforeEach
    void setUpSource() {
        source = newSource();
    }

    private void assertAbout(Instant expected, Optional<Instant> actual) {
        Instant a = actual.orElseThrow(() -> new AssertionError("no last use, expected about " + expected));
        assertFalse(a.isAfter(expected), a + " is after the verification at " + expected);
        assertTrue(a.isAfter(expected.minus(precision())), a + " is further than " + precision() + " before " + expected);
    }

    @Test
    void aKeyNeverSeenHasNoLastUse() {
        assertEquals(Optional.empty(), source.lastUse("key_never"));
        assertEquals(Map.of(), source.lastUses(List.of("key_never", "key_nor_this")));
    }

    @Test
    void theNewestVerificationOfAnyOutcomeIsTheLastUse() {
        verified("key_a", Outcome.VALID, T0.plusSeconds(10));
        assertAbout(T0.plusSeconds(10), source.lastUse("key_a"));
        Instant later = T0.plus(Duration.ofDays(3)).plusSeconds(42);
        verified("key_a", Outcome.REVOKED, later);
        assertAbout(later, source.lastUse("key_a"));
        verified("key_a", Outcome.VALID, T0.plusSeconds(20));
        assertAbout(later, source.lastUse("key_a"));
        assertEquals(Optional.empty(), source.lastUse("key_b"), "keys are apart");
    }

    @Test
    void manyKeysAtOnceLeaveOutThoseNeverSeen() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1200; i++) ids.add("key_" + i);
        verified("key_7", Outcome.VALID, T0);
        verified("key_700", Outcome.RATE_LIMITED, T0.plusSeconds(3600));
        verified("key_1199", Outcome.VALID, T0.plusSeconds(7200));
        Map<String, Instant> last = source.lastUses(ids);
        assertEquals(3, last.size(), last.toString());
        assertAbout(T0, Optional.ofNullable(last.get("key_7")));
        assertAbout(T0.plusSeconds(3600), Optional.ofNullable(last.get("key_700")));
        assertAbout(T0.plusSeconds(7200), Optional.ofNullable(last.get("key_1199")));
    }
}
