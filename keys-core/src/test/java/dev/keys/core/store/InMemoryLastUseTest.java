package dev.keys.core.store;

import dev.keys.api.Clock;
import dev.keys.api.LastUseSource;
import dev.keys.api.Outcome;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageSink;
import dev.keys.test.LastUseSourceSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InMemoryLastUseTest extends LastUseSourceSpec {
    InMemoryLastUse memory;

    @Override
    protected LastUseSource newSource() {
        memory = new InMemoryLastUse();
        return memory;
    }

    @Override
    protected void verified(String keyId, Outcome outcome, Instant at) {
        memory.record(new UsageEvent(keyId, "t", outcome, Clock.toNanos(at)));
    }

    @Override
    protected Duration precision() {
        return Duration.ofNanos(1);
    }

    @Test
    void passesEventsOnAndTracksAtMostMaxKeys() {
        List<UsageEvent> passed = new ArrayList<>();
        UsageSink downstream = passed::add;
        InMemoryLastUse bounded = new InMemoryLastUse(downstream, 2);
        for (String k : List.of("key_1", "key_2", "key_3")) bounded.record(new UsageEvent(k, "t", Outcome.VALID, Clock.toNanos(T0)));
        assertEquals(3, passed.size());
        assertEquals(Optional.of(T0), bounded.lastUse("key_2"));
        assertEquals(Optional.empty(), bounded.lastUse("key_3"), "past maxKeys, new keys are not tracked");
        bounded.record(new UsageEvent("key_1", "t", Outcome.VALID, Clock.toNanos(T0.plusSeconds(5))));
        assertEquals(Optional.of(T0.plusSeconds(5)), bounded.lastUse("key_1"), "known keys still move on");
    }
}
