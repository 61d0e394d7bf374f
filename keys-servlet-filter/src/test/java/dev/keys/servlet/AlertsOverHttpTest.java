package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import dev.keys.api.UsageSink;
import dev.keys.core.authz.Roles;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.limit.Tiers;
import dev.keys.core.ops.Alert;
import dev.keys.core.ops.AlertRule;
import dev.keys.core.ops.AlertingUsageSink;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The filter feeds the per-address alert rules: failed verifications from one client raise one alert a window. */
class AlertsOverHttpTest {
    @Test
    void failedVerificationsFromOneAddressRaiseOneAlert() throws Exception {
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        try (JettyHarness h = new JettyHarness(Roles.EMPTY, Tiers.NONE)) {
            AlertingUsageSink sink = AlertingUsageSink.builder(UsageSink.NONE).clock(h.clock)
                    .rule(AlertRule.failedVerifications(5, Duration.ofMinutes(1))).listener(alerts::add).build();
            sink.start(h.keys.scheduler()); // only a listener of the filter: nothing else starts it
            try (sink) {
                h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).listener(sink).build())
                        .servlet("/api/*", new JettyHarness.EchoServlet())
                        .start();
                var valid = h.issue(dev.keys.core.lifecycle.NewKey.builder("sk_live"));
                assertEquals(200, h.get("/api/x", "X-API-Key", valid.plaintext()).status());
                KeyFormat f = new KeyFormat();
                for (int i = 0; i < 20; i++) {
                    String unknown = f.generate("sk_live");
                    assertEquals(401, h.get("/api/x", "X-API-Key", i % 2 == 0 ? unknown : "garbage-" + i).status());
                }
                sink.awaitIdle(Duration.ofSeconds(30));
                assertEquals(1, alerts.size(), "once per window: " + alerts);
                Alert a = alerts.get(0);
                assertEquals(java.util.Optional.of("127.0.0.1"), a.client(), a.toString());
                assertFalse(a.toString().contains("sk_live_"), "no credential in an alert");
            }
            h.assertNoLeaks();
        }
    }
}
