package dev.keys.core.verify;

import dev.keys.api.RateLimitReport;
import dev.keys.api.RateLimitStatus;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.QuotaResult;

import java.util.ArrayList;
import java.util.List;

/**
 * The report of a request refused by its quota or remaining uses: the bandwidths as they stand, then the quota.
 * {@code retryAfterSeconds} is 0 for spent uses that never refill, so that no {@code Retry-After} promises a retry.
 */
record QuotaReport(LimitResult limits, QuotaResult quota) implements RateLimitReport {
    @Override
    public List<RateLimitStatus> statuses() {
        List<RateLimitStatus> all = new ArrayList<>(limits.statuses());
        quota.quota().ifPresent(all::add);
        return List.copyOf(all);
    }

    @Override
    public long retryAfterSeconds() {
        return quota.retryAfterSeconds();
    }
}
