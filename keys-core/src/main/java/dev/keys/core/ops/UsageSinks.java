package dev.keys.core.ops;

import dev.keys.api.Background;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageSink;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/** Composition of usage sinks. */
public final class UsageSinks {
    private UsageSinks() {
    }

    /**
     * One sink that passes each event to every one of {@code sinks}, in order. It is {@link Background}: starting
     * it starts those of {@code sinks} that are.
     */
    public static UsageSink fanOut(UsageSink... sinks) {
        List<UsageSink> all = List.of(sinks);
        if (all.size() == 1) return all.get(0);
        return new FanOut(all);
    }

    private record FanOut(List<UsageSink> all) implements UsageSink, Background {
        @Override
        public void record(UsageEvent e) {
            for (UsageSink s : all) s.record(e);
        }

        @Override
        public void start(ScheduledExecutorService scheduler) {
            for (UsageSink s : all) if (s instanceof Background bg) bg.start(scheduler);
        }
    }
}
