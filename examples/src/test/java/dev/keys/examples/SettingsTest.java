package dev.keys.examples;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SettingsTest {
    @Test
    void theStaleBoundDefaultsToFailClosedAndIsReadAsADuration() {
        assertEquals(Duration.ZERO, Settings.fromEnvironment(Map.of()).staleBound());
        assertEquals(Duration.ofSeconds(30), Settings.fromEnvironment(Map.of("KEYS_STALE_BOUND", "PT30S")).staleBound());
        for (String bad : new String[] {"30", "-PT1S", "soon"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(Map.of("KEYS_STALE_BOUND", bad)));
            assertTrue(e.getMessage().contains("KEYS_STALE_BOUND"));
        }
    }
}
