package dev.keys.servlet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.OAuthClient;
import dev.keys.api.Page;
import dev.keys.api.RateLimit;
import dev.keys.api.StoreException;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.ClientUpdate;
import dev.keys.core.lifecycle.IssuedClient;
import dev.keys.core.lifecycle.NewClient;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /clients}, OAuth 2.0 clients of the client-credentials grant: create, list, read, change, revoke, disable,
 * enable, under the caller rules of keys, which the {@link ClientManager} enforces and audits.
 */
final class ClientResource {
    private static final Set<String> CREATE_FIELDS = Set.of("name", "tenant", "roles", "permissions", "ratelimits");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "roles", "permissions", "ratelimits");
    private static final Set<String> IMMUTABLE_FIELDS = Set.of("clientId", "clientSecret", "tenant", "status", "createdAt",
            "updatedAt", "version");

    private ClientResource() {
    }

    private static ClientManager clients(AdminCall call) {
        return call.config().clients().orElseThrow(AdminRouter.Failure::noRoute);
    }

    static void create(AdminCall call) throws IOException {
        call.query();
        ObjectNode body = call.body(true);
        AdminJson.onlyFields(body, CREATE_FIELDS, Set.of(), "");
        String tenant = body.hasNonNull("tenant") ? AdminJson.nonBlank(body.get("tenant"), "tenant", 100) : call.tenant();
        String name = body.hasNonNull("name") ? AdminJson.text(body.get("name"), "name", AdminJson.MAX_TEXT) : "";
        Set<String> permissions = body.hasNonNull("permissions") ? AdminJson.permissions(body.get("permissions"), "permissions") : Set.of();
        Set<String> roles = body.hasNonNull("roles") ? AdminJson.roles(body.get("roles"), "roles") : Set.of();
        List<RateLimit> ratelimits = body.hasNonNull("ratelimits") ? AdminJson.ratelimits(body.get("ratelimits"), "ratelimits") : List.of();
        IssuedClient issued = clients(call).create(new NewClient(name, tenant, roles, permissions, ratelimits), call.actor());
        call.created("/clients/" + issued.clientId(), AdminViews.issuedClient(issued));
    }

    static void list(AdminCall call) throws IOException {
        Map<String, String> q = call.query("tenant", "limit", "cursor");
        Optional<String> tenant = call.config().policy().scope(call.actor(), Optional.ofNullable(q.get("tenant")));
        Page<OAuthClient> page = clients(call).list(tenant, AdminCall.limit(q.get("limit")), Optional.ofNullable(q.get("cursor")), call.actor());
        call.ok(AdminViews.page(page, AdminViews::client));
    }

    static void get(AdminCall call) throws IOException {
        call.query();
        call.ok(AdminViews.client(clients(call).get(call.id(), call.actor()).orElseThrow(() -> notFound(call))));
    }

    static void patch(AdminCall call) throws IOException {
        call.query();
        ObjectNode body = call.body(true);
        AdminJson.onlyFields(body, PATCH_FIELDS, IMMUTABLE_FIELDS, "");
        ClientUpdate u = ClientUpdate.NONE;
        if (body.has("name")) u = u.withName(body.get("name").isNull() ? "" : AdminJson.text(body.get("name"), "name", AdminJson.MAX_TEXT));
        if (body.has("roles")) u = u.withRoles(body.get("roles").isNull() ? Set.of() : AdminJson.roles(body.get("roles"), "roles"));
        if (body.has("permissions")) {
            u = u.withPermissions(body.get("permissions").isNull() ? Set.of() : AdminJson.permissions(body.get("permissions"), "permissions"));
        }
        if (body.has("ratelimits")) {
            u = u.withRatelimits(body.get("ratelimits").isNull() ? List.of() : AdminJson.ratelimits(body.get("ratelimits"), "ratelimits"));
        }
        ClientManager m = clients(call);
        if (u.equals(ClientUpdate.NONE)) {
            OAuthClient current = m.get(call.id()).orElseThrow(() -> notFound(call));
            call.config().policy().checkChange(call.actor(), current);
            call.ok(AdminViews.client(current));
            return;
        }
        call.ok(AdminViews.client(m.update(call.id(), u, call.actor())));
    }

    static void action(AdminCall call) throws IOException {
        call.query();
        ObjectNode body = call.body(false);
        String a = call.action();
        AdminJson.onlyFields(body, a.equals("enable") ? Set.of() : Set.of("reason"), Set.of(), "");
        Optional<String> reason = body.hasNonNull("reason") ? Optional.of(AdminJson.text(body.get("reason"), "reason", 500)) : Optional.empty();
        ClientManager m = clients(call);
        OAuthClient after = switch (a) {
            case "revoke" -> m.revoke(call.id(), call.actor(), reason);
            case "disable" -> m.disable(call.id(), call.actor(), reason);
            case "enable" -> m.enable(call.id(), call.actor());
            default -> throw notFound(call);
        };
        call.ok(AdminViews.client(after));
    }

    private static StoreException.NotFound notFound(AdminCall call) {
        return new StoreException.NotFound("no client with id " + call.id());
    }
}
