package dev.keys.api;

/** Receives one event per verification of a known key. Called on the request thread: must only enqueue. */
@FunctionalInterface
public interface UsageSink {
    UsageSink NONE = e -> { };

    void record(UsageEvent event);
}
