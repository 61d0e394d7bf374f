package dev.keys.core.ops;

import java.util.Objects;

/** Writes each alert to a {@link System.Logger} (default {@code dev.keys.alerts}, level WARNING). */
public final class LogAlertSink implements AlertListener {
    private final System.Logger log;
    private final System.Logger.Level level;

    public LogAlertSink() {
        this(System.getLogger("dev.keys.alerts"), System.Logger.Level.WARNING);
    }

    public LogAlertSink(System.Logger log, System.Logger.Level level) {
        this.log = Objects.requireNonNull(log, "log");
        this.level = Objects.requireNonNull(level, "level");
    }

    @Override
    public void onAlert(Alert a) {
        log.log(level, "keys alert [{0}] key={1} tenant={2} client={3} window={4}..{5} count={6}: {7}",
                a.rule(), a.keyId().orElse("-"), a.tenant().orElse("-"), a.client().orElse("-"), a.windowStart(), a.windowEnd(), a.count(), a.message());
    }
}
