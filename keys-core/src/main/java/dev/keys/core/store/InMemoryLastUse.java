package dev.keys.core.store;

import dev.keys.api.Background;
import dev.keys.api.LastUseSource;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageSink;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@link LastUseSource} fed by usage events: a {@link UsageSink} decorator that remembers the newest event time
 * of each key ({@code record} is one map update on the request thread). At most {@code maxKeys} keys are
 * remembered; past that, keys not seen yet are not tracked (and look unused from their creation). Forgotten on a
 * restart: for unused-key sweeps across restarts use a durable source (keys-jdbc-store's {@code JdbcLastUse}).
 * Starting it starts the decorated sink when that is {@link Background}.
 */
public final class InMemoryLastUse implements LastUseSource, UsageSink, Background {
    private final UsageSink delegate;
    private final int maxKeys;
    private final ConcurrentHashMap<String, Long> last = new ConcurrentHashMap<>();

    public InMemoryLastUse() {
        this(UsageSink.NONE, 1_000_000);
    }

    public InMemoryLastUse(UsageSink delegate, int maxKeys) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be positive");
        this.maxKeys = maxKeys;
    }

    @Override
    public void record(UsageEvent e) {
        delegate.record(e);
        Long seen = last.get(e.keyId());
        if (seen != null && seen >= e.atNanos()) return;
        if (seen == null && last.size() >= maxKeys) return;
        last.merge(e.keyId(), e.atNanos(), Math::max);
    }

    @Override
    public void start(ScheduledExecutorService scheduler) {
        if (delegate instanceof Background bg) bg.start(scheduler);
    }

    @Override
    public Optional<Instant> lastUse(String keyId) {
        Long n = last.get(keyId);
        return n == null ? Optional.empty()
                : Optional.of(Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L)));
    }
}
