package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.RequestContext;
import java.util.Objects;

/**
 * What a {@link Condition} looks at: the key, the request, and the time in epoch nanoseconds from
 * {@link dev.keys.api.Clock}. {@link KeyAuthz} passes the three values directly and allocates none of these.
 */
public record ConditionInput(ApiKey key, RequestContext request, long nowNanos) {
    public ConditionInput {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(request, "request");
    }
}
