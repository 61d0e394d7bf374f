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

    @Test
    void listensOnLoopbackByDefaultAndTheIssuerIsAnHttpUrl() {
        Settings defaults = Settings.fromEnvironment(Map.of());
        assertEquals("127.0.0.1", defaults.host());
        assertEquals("http://localhost:8080", defaults.issuerFor(8080));
        assertEquals("http://localhost:9000", Settings.fromEnvironment(Map.of("HOST", "0.0.0.0")).issuerFor(9000));
        assertEquals("http://10.1.2.3:8080", Settings.fromEnvironment(Map.of("HOST", "10.1.2.3")).issuerFor(8080));
        assertEquals("http://[fd00::1]:8080", Settings.fromEnvironment(Map.of("HOST", "fd00::1")).issuerFor(8080));
        assertEquals("https://api.example.com", Settings.fromEnvironment(Map.of("KEYS_ISSUER", "https://api.example.com")).issuerFor(8080));
        for (String bad : new String[] {"keys-example", "ftp://h", "https://h/?q=1"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(Map.of("KEYS_ISSUER", bad)));
            assertTrue(e.getMessage().startsWith("KEYS_ISSUER"), e.getMessage());
        }
    }
}
