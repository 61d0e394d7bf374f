package dev.keys.core.ops;

import dev.keys.api.UsageSink;

import java.util.List;

/** Composition of usage sinks. */
public final class UsageSinks {
    private UsageSinks() {
    }

    /** One sink that passes each event to every one of {@code sinks}, in order. */
    public static UsageSink fanOut(UsageSink... sinks) {
        List<UsageSink> all = List.of(sinks);
        if (all.size() == 1) return all.get(0);
        return e -> {
            for (UsageSink s : all) s.record(e);
        };
    }
}
