package dev.keys.servlet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.RoleManager;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

import static dev.keys.servlet.AdminJson.bad;

/**
 * {@code /roles} (docs/contract.md §5): {@code GET /roles} lists every role with its source ({@code code},
 * {@code policy} or {@code store}); {@code PUT /roles/{name}} {@code {permissions[]}} defines or replaces a stored
 * role, {@code DELETE /roles/{name}} removes one. Writes need {@code keys:admin} ({@link AdminCallers#need}); the
 * {@link RoleManager} refuses roles of code or the policy file (409) and audits each write.
 */
final class RoleResource {
    private RoleResource() {
    }

    static void list(AdminCall call) throws IOException {
        call.query();
        ObjectNode out = AdminViews.NODES.objectNode();
        ArrayNode roles = out.putArray("roles");
        for (RoleManager.RoleView r : call.config().roles().list(call.actor())) roles.add(view(r));
        call.ok(out);
    }

    static void put(AdminCall call) throws IOException {
        call.query();
        ObjectNode body = call.body(true);
        JsonFields.Errors e = new JsonFields.Errors();
        e.check(() -> name(call.id()));
        JsonFields.BODY.only(body, "", Set.of("permissions"), Set.of("name", "source"), e);
        Set<String> permissions = e.read(() -> AdminJson.permissions(JsonFields.BODY.required(body, "", "permissions"), "permissions"));
        e.done();
        call.ok(view(call.config().roles().put(call.id(), permissions, call.actor())));
    }

    static void delete(AdminCall call) {
        call.query();
        name(call.id());
        call.config().roles().delete(call.id(), call.actor());
        call.noContent();
    }

    /** The name in the path; never echoed, as a role name has the shape of a key's prefix. */
    private static void name(String name) {
        if (name.isEmpty()) throw bad("name", "must not be empty");
        if (name.length() > 64) throw bad("name", "must be at most 64 characters");
        if (!Roles.isValidName(name)) throw bad("name", "not a role name (1 to 64 of A-Z a-z 0-9 . _ : -)");
    }

    private static ObjectNode view(RoleManager.RoleView r) {
        ObjectNode o = AdminViews.NODES.objectNode();
        o.put("name", r.name());
        ArrayNode p = o.putArray("permissions");
        new TreeSet<>(r.permissions()).forEach(p::add);
        o.put("source", r.source().wireName());
        return o;
    }
}
