package dev.keys.examples;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The KEYS_ALERT_* variables: off without a URL, defaults with one, and a refusal naming the variable otherwise. */
class AlertSettingsTest {
    static final String URL = "https://ops.example/hooks/keys", SECRET = "0123456789abcdef";

    @Test
    void offWithoutAUrlAndDefaultsWithOne() {
        assertTrue(Settings.fromEnvironment(Map.of()).alerts().isEmpty());
        AlertSettings a = Settings.fromEnvironment(Map.of("KEYS_ALERT_WEBHOOK_URL", URL, "KEYS_ALERT_WEBHOOK_SECRET", SECRET)).alerts().orElseThrow();
        assertEquals("AlertRule[remaining-below, REMAINING_BELOW, share=0.1]", a.remainingBelow().toString());
        assertEquals("AlertRule[quota-used, QUOTA_USED, share=0.8]", a.quotaUsed().toString());
        assertEquals(Duration.ofDays(7), a.expiringWithin());
        assertEquals(Duration.ofHours(1), a.checkInterval());
        assertEquals("AlertRule[remaining-below, REMAINING_BELOW, threshold=100]", AlertSettings.fromEnvironment(Map.of("KEYS_ALERT_WEBHOOK_URL", URL,
                "KEYS_ALERT_WEBHOOK_SECRET", SECRET, "KEYS_ALERT_REMAINING_BELOW", "100")).orElseThrow().remainingBelow().toString());
    }

    @Test
    void badValuesAreRefusedNamingTheVariable() {
        Map<String, String> bad = Map.of(
                "KEYS_ALERT_WEBHOOK_SECRET", "KEYS_ALERT_WEBHOOK_URL",
                "KEYS_ALERT_QUOTA_USED", "KEYS_ALERT_QUOTA_USED",
                "KEYS_ALERT_REMAINING_BELOW", "KEYS_ALERT_REMAINING_BELOW",
                "KEYS_ALERT_EXPIRING_WITHIN", "KEYS_ALERT_EXPIRING_WITHIN");
        Map<String, String> values = Map.of("KEYS_ALERT_WEBHOOK_SECRET", "short", "KEYS_ALERT_QUOTA_USED", "180%",
                "KEYS_ALERT_REMAINING_BELOW", "lots", "KEYS_ALERT_EXPIRING_WITHIN", "a week");
        for (var e : bad.entrySet()) {
            Map<String, String> env = new java.util.HashMap<>(Map.of("KEYS_ALERT_WEBHOOK_URL", URL, "KEYS_ALERT_WEBHOOK_SECRET", SECRET));
            env.put(e.getKey(), values.get(e.getKey()));
            var x = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(env));
            assertTrue(x.getMessage().contains(e.getValue()), x.getMessage());
            assertFalse(x.getMessage().contains(SECRET));
        }
        var x = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(Map.of("KEYS_ALERT_WEBHOOK_URL", URL)));
        assertTrue(x.getMessage().contains("KEYS_ALERT_WEBHOOK_SECRET is required"), x.getMessage());
        x = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(Map.of("KEYS_ALERT_WEBHOOK_URL", "ftp://x/", "KEYS_ALERT_WEBHOOK_SECRET", SECRET)));
        assertTrue(x.getMessage().contains("KEYS_ALERT_WEBHOOK_URL"), x.getMessage());
    }
}
