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
        log.log(level, "keys alert [{0}] kind={1} key={2} tenant={3} owner={4} client={5} window={6}..{7} count={8} threshold={9} value={10}: {11}",
                a.rule(), a.kind(), a.keyId().orElse("-"), a.tenant().orElse("-"), a.ownerId().orElse("-"), a.client().orElse("-"),
                a.windowStart(), a.windowEnd(), a.count(), a.threshold(), a.value(), a.message());
    }
}
