package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.RequestContext;

/**
 * The key belongs to one tenant: set in code only (no text form), by a caller confined to a tenant, so that a key
 * of another tenant is turned away in step 5 of the verification, before its limits are spent.
 */
final class TenantCondition implements Condition {
    private final String tenant;

    TenantCondition(String tenant) {
        this.tenant = tenant;
    }

    @Override
    public boolean test(ApiKey key, RequestContext request, long nowNanos) {
        return key.tenant().equals(tenant);
    }

    @Override
    public String describe() {
        // Never the tenant's name: a caller of another tenant must not learn it from a detail.
        return "tenant of the caller";
    }

    @Override
    public String toString() {
        return describe();
    }
}
