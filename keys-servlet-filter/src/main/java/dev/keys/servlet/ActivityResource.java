package dev.keys.servlet;

import dev.keys.api.AuditEvent;
import dev.keys.api.AuditLog;
import dev.keys.api.Clock;
import dev.keys.api.Page;
import dev.keys.api.StoreException;
import dev.keys.api.UsageLog;
import dev.keys.core.lifecycle.AdminPolicy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.keys.servlet.AdminJson.bad;

/**
 * What happened: {@code GET /keys/{id}/usage} from the {@link UsageLog} and {@code GET /audit} from the
 * {@link AuditLog}, each 404 when the servlet has none, and each within the caller's tenant.
 */
final class ActivityResource {
    private ActivityResource() {
    }

    static void usage(AdminCall call) throws IOException {
        Map<String, String> q = call.query("from", "to", "granularity");
        KeyAdminServlet.Config c = call.config();
        c.keys().get(call.id(), call.actor()).orElseThrow(() -> new StoreException.NotFound("no key with id " + call.id()));
        UsageLog usage = c.usage().orElseThrow(() -> new StoreException.NotFound("no usage log"));
        Instant to = q.containsKey("to") ? AdminJson.instant(q.get("to"), "to") : c.clock().instant();
        Instant from = q.containsKey("from") ? AdminJson.instant(q.get("from"), "from") : to.minus(Duration.ofDays(1));
        if (!from.isBefore(to)) throw bad("from", "must be before to");
        Duration g = granularity(q.get("granularity"));
        if (Duration.between(from, to).dividedBy(g) > 100_000) throw bad("granularity", "too fine for the range (more than 100000 periods)");
        call.ok(AdminViews.usage(call.id(), from, to, g, usage.counts(call.id(), from, to, g)));
    }

    private static Duration granularity(String text) {
        if (text == null) return Duration.ofHours(1);
        switch (text.toLowerCase(Locale.ROOT)) {
            case "minute": return Duration.ofMinutes(1);
            case "hour": return Duration.ofHours(1);
            case "day": return Duration.ofDays(1);
            default:
        }
        try {
            Duration d = Duration.parse(text);
            if (!d.isNegative() && !d.isZero() && d.getNano() == 0 && d.getSeconds() % 60 == 0) return Clock.requireInRange(d, "granularity", true);
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw bad("granularity", "must be minute, hour, day or an ISO-8601 duration of whole minutes");
    }

    static void audit(AdminCall call) throws IOException {
        Map<String, String> q = call.query("keyId", "tenant", "limit", "cursor");
        AuditLog audit = call.config().audit().orElseThrow(() -> new StoreException.NotFound("no audit log"));
        Optional<String> tenant;
        if (call.actor().confined()) {
            // A keys:self caller reads the trail of one of its own keys at a time; another's answers as unknown.
            String keyId = q.get("keyId");
            if (keyId == null) throw new AdminPolicy.Refused("a " + AdminPolicy.SELF + " caller reads the audit of one of its keys: give keyId");
            call.config().keys().get(keyId, call.actor()).orElseThrow(() -> new StoreException.NotFound("no key with id " + keyId));
            if (q.containsKey("tenant") && !call.actor().reaches(q.get("tenant"))) throw new StoreException.NotFound("no tenant " + q.get("tenant"));
            tenant = call.actor().tenant();
        } else {
            tenant = call.config().policy().scope(call.actor(), Optional.ofNullable(q.get("tenant")));
        }
        int limit = AdminCall.limit(q.get("limit"));
        Page<AuditEvent> page;
        try {
            page = audit.find(tenant, Optional.ofNullable(q.get("keyId")), limit, Optional.ofNullable(q.get("cursor")));
        } catch (IllegalArgumentException e) {
            throw bad("cursor", "not a cursor this API returned");
        }
        call.ok(AdminViews.page(page, AdminViews::audit));
    }
}
