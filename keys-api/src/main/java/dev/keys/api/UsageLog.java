package dev.keys.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A usage sink that aggregates and can be read back, for per-key usage analytics. */
public interface UsageLog extends UsageSink {

    /**
     * Counts of one key's verifications by outcome in {@code [from, to)}, one entry per period of
     * {@code granularity} (one minute, hour or day) and outcome that saw any, oldest first.
     */
    List<UsageCount> counts(String keyId, Instant from, Instant to, Duration granularity);
}
