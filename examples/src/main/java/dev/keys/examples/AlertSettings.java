package dev.keys.examples;

import dev.keys.api.Clock;
import dev.keys.api.UsageSink;
import dev.keys.core.ops.AlertRule;
import dev.keys.core.ops.AlertingUsageSink;
import dev.keys.core.ops.WebhookAlertSink;
import dev.keys.jdbc.JdbcStores;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * The early alerts of the example, on when {@code KEYS_ALERT_WEBHOOK_URL} is set: each goes to that URL as signed
 * JSON (docs/operations.md, "Sinks"). One instance of a fleet sends each alert (the lease and the counters are in
 * the shared database).
 *
 * @param url            {@code KEYS_ALERT_WEBHOOK_URL}, http or https
 * @param secret         {@code KEYS_ALERT_WEBHOOK_SECRET}, at least 16 characters: the HMAC key of the signature
 * @param remainingBelow {@code KEYS_ALERT_REMAINING_BELOW}, default {@code 10%}: a number of remaining uses, or a
 *                       share of what the key was given ({@code 10%})
 * @param quotaUsed      {@code KEYS_ALERT_QUOTA_USED}, default {@code 80%}: the share of a quota period
 * @param expiringWithin {@code KEYS_ALERT_EXPIRING_WITHIN}, default {@code P7D}
 * @param checkInterval  {@code KEYS_ALERT_CHECK_INTERVAL}, default {@code PT1H}: how often the key store is checked
 *                       for keys entering the expiry window
 */
record AlertSettings(URI url, byte[] secret, AlertRule remainingBelow, AlertRule quotaUsed, Duration expiringWithin, Duration checkInterval) {

    static Optional<AlertSettings> fromEnvironment(Map<String, String> env) {
        Optional<String> url = text(env, "KEYS_ALERT_WEBHOOK_URL");
        if (url.isEmpty()) return Optional.empty();
        URI uri;
        try {
            uri = URI.create(url.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("KEYS_ALERT_WEBHOOK_URL is not a URL");
        }
        byte[] secret = text(env, "KEYS_ALERT_WEBHOOK_SECRET").orElseThrow(() ->
                new IllegalArgumentException("KEYS_ALERT_WEBHOOK_SECRET is required with KEYS_ALERT_WEBHOOK_URL")).getBytes(StandardCharsets.UTF_8);
        try {
            WebhookAlertSink.builder(uri, secret); // the same checks as at start: http(s), a secret of 16 bytes or more
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("KEYS_ALERT_WEBHOOK_URL / _SECRET: " + e.getMessage());
        }
        String remaining = text(env, "KEYS_ALERT_REMAINING_BELOW").orElse("10%");
        AlertRule below = remaining.endsWith("%") ? AlertRule.remainingBelowShare(share("KEYS_ALERT_REMAINING_BELOW", remaining))
                : AlertRule.remainingBelow(number("KEYS_ALERT_REMAINING_BELOW", remaining));
        AlertRule quota = AlertRule.quotaUsed(share("KEYS_ALERT_QUOTA_USED", text(env, "KEYS_ALERT_QUOTA_USED").orElse("80%")));
        return Optional.of(new AlertSettings(uri, secret, below, quota, duration(env, "KEYS_ALERT_EXPIRING_WITHIN", "P7D"),
                duration(env, "KEYS_ALERT_CHECK_INTERVAL", "PT1H")));
    }

    WebhookAlertSink webhook() {
        return WebhookAlertSink.builder(url, secret).build();
    }

    /** The rules around the usage log, the key checks held by one instance of the fleet through the lease. */
    AlertingUsageSink sink(UsageSink usage, JdbcStores stores, Clock clock, WebhookAlertSink webhook) {
        return AlertingUsageSink.builder(usage).clock(clock)
                .rule(remainingBelow).rule(quotaUsed).rule(AlertRule.expiringWithin(expiringWithin))
                .keys(stores.keyStore()).lease(stores.lease()).checkInterval(checkInterval)
                .listener(webhook).build();
    }

    private static double share(String name, String text) {
        String t = text.endsWith("%") ? text.substring(0, text.length() - 1) : text;
        try {
            double p = Double.parseDouble(t.trim());
            if (p > 0 && p <= 100) return p / 100;
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(name + " must be a percentage above 0 and at most 100, such as 80%");
    }

    private static long number(String name, String text) {
        try {
            long n = Long.parseLong(text.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(name + " must be a number of uses (1 or more) or a percentage such as 10%");
    }

    private static Duration duration(Map<String, String> env, String name, String otherwise) {
        try {
            Duration d = Duration.parse(text(env, name).orElse(otherwise));
            if (!d.isNegative() && !d.isZero() && d.compareTo(Duration.ofDays(36_500)) <= 0) return d;
        } catch (DateTimeParseException e) {
            // the message below
        }
        throw new IllegalArgumentException(name + " must be an ISO-8601 duration such as P7D, more than zero");
    }

    private static Optional<String> text(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(s -> !s.isEmpty());
    }
}
