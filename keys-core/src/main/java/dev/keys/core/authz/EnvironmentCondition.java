package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.Environment;
import dev.keys.api.RequestContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The key's environment is one of the given ones ({@code env live}). */
final class EnvironmentCondition implements Condition {
    private final Set<Environment> allowed;
    private final String description;

    private EnvironmentCondition(Set<Environment> allowed) {
        this.allowed = allowed;
        List<String> names = new ArrayList<>();
        for (Environment e : allowed) names.add(e.wireName());
        this.description = "env " + String.join(", ", names);
    }

    public static EnvironmentCondition of(Collection<Environment> allowed) {
        if (allowed.isEmpty()) throw new IllegalArgumentException("env: expected at least one of live, test");
        return new EnvironmentCondition(EnumSet.copyOf(allowed));
    }

    static EnvironmentCondition parse(String text) {
        List<Environment> envs = new ArrayList<>();
        for (String w : Words.list(text, "env")) {
            try {
                envs.add(Environment.parse(w));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("env: \"" + w + "\": " + e.getMessage(), e);
            }
        }
        return of(envs);
    }

    @Override
    public boolean test(ApiKey key, RequestContext request, long nowNanos) {
        return allowed.contains(key.environment());
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }
}
