package dev.keys.examples;

import dev.keys.redis.RedisLimits;
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

    @Test
    void redisIsOffByDefaultAndItsPasswordNeverPrinted() {
        Settings defaults = Settings.fromEnvironment(Map.of());
        assertTrue(defaults.redisUrl().isEmpty());
        assertEquals(Duration.ofMillis(5), defaults.redisTimeout());
        assertEquals("in this process (set KEYS_REDIS_URL to share them across instances)", defaults.limitsDescription());
        Settings on = Settings.fromEnvironment(Map.of("KEYS_REDIS_URL", "redis://:s3cret@cache:6379/0", "KEYS_REDIS_PREFIX", "shop",
                "KEYS_REDIS_TIMEOUT", "PT0.05S"));
        assertEquals("shared in Redis at redis://***@cache:6379/0 (prefix shop)", on.limitsDescription());
        assertEquals(Duration.ofMillis(50), on.redisTimeout());
        for (String bad : new String[] {"5", "PT0S", "-PT1S"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(Map.of("KEYS_REDIS_TIMEOUT", bad)));
            assertTrue(e.getMessage().startsWith("KEYS_REDIS_TIMEOUT"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(Map.of("KEYS_REDIS_PREFIX", "a b{")));
        assertTrue(e.getMessage().startsWith("KEYS_REDIS_PREFIX"), e.getMessage());
        assertEquals(RedisLimits.Mode.EXACT, on.redisMode());
        Settings leased = Settings.fromEnvironment(Map.of("KEYS_REDIS_URL", "redis://cache:6379", "KEYS_REDIS_MODE", "local_first"));
        assertEquals(RedisLimits.Mode.LOCAL_FIRST, leased.redisMode());
        assertEquals("shared in Redis at redis://cache:6379 (prefix keys, LOCAL_FIRST)", leased.limitsDescription());
        e = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(Map.of("KEYS_REDIS_MODE", "FAST")));
        assertEquals("KEYS_REDIS_MODE must be EXACT or LOCAL_FIRST", e.getMessage());
    }
}
