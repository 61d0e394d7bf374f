package dev.keys.jmh;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.RequestContext;
import dev.keys.core.authz.Decision;
import dev.keys.core.authz.KeyAuthz;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Permissions;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.RouteMatch;
import dev.keys.core.authz.RouteTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Step 5 of the verifier. {@code query3of20}: a three-term query against a key with 20 permissions, worst case
 * (the first term holds, the second does not, the third does, so all three are looked up). Target: under 30 ns/op,
 * no allocation ({@code -prof gc}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AuthzBenchmark {
    private Permissions permissions;
    private PermissionQuery query;
    private KeyAuthz keyAuthz;
    private Requirement requirement;
    private RouteTable routes;

    @Setup
    public void setup() {
        List<String> granted = new ArrayList<>();
        granted.add("a:read");
        granted.add("c:*");
        for (int i = 0; granted.size() < 20; i++) granted.add("resource" + i + ":" + (i % 2 == 0 ? "read" : "write"));
        permissions = Permissions.compile(granted);
        query = PermissionQuery.parse("a:read AND (b:write OR c:*)");
        if (!query.test(permissions)) throw new IllegalStateException("the benchmark query must hold");

        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        ApiKey key = ApiKey.builder().id("k").prefix("sk_live").start("abcd").digest(new Digest(1, 2, 3, 4))
                .createdAt(t).updatedAt(t).permissions(new LinkedHashSet<>(granted)).build();
        keyAuthz = KeyAuthz.compile(key, Roles.EMPTY);
        requirement = Requirement.of(query);
        routes = RouteTable.parse("""
                GET /documents/** -> documents:read
                POST /documents -> documents:write
                * /admin/** -> keys:admin
                GET /api/v1/{tenant}/reports/* -> a:read AND (b:write OR c:*)
                * /** -> NONE
                """);
        if (!(routes.match("GET", "/api/v1/acme/reports/42") instanceof RouteMatch.Matched)) throw new IllegalStateException();
        if (!keyAuthz.check(RequestContext.NONE, 0, requirement).allowed()) throw new IllegalStateException();
    }

    @Benchmark
    public boolean query3of20() {
        return query.test(permissions);
    }

    /** The same query through {@link KeyAuthz#check}, as the verifier calls it (no conditions). */
    @Benchmark
    public Decision keyCheck3of20() {
        return keyAuthz.check(RequestContext.NONE, 0, requirement);
    }

    /** Normalising a clean path and matching it against five routes (the fourth matches). */
    @Benchmark
    public RouteMatch routeMatch() {
        return routes.match("GET", "/api/v1/acme/reports/42");
    }
}
