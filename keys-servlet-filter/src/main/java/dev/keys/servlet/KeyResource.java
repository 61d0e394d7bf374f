package dev.keys.servlet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.ApiKey;
import dev.keys.api.Environment;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.Outcome;
import dev.keys.api.Quota;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitReport;
import dev.keys.api.RequestContext;
import dev.keys.api.StoreException;
import dev.keys.api.Verification;
import dev.keys.core.authz.Condition;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.lifecycle.Actor;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;

import static dev.keys.servlet.AdminJson.bad;

/**
 * {@code /keys}: create, list, read, change, the state actions (revoke, rotate, approve, reject, disable, enable)
 * and {@code /keys/verify}. Bodies are read whole before the {@link KeyManager} is called, and the manager holds the
 * caller to the admin policy on the state it writes, so that a refused call writes nothing.
 */
final class KeyResource {
    static final Set<String> ACTIONS = Set.of("revoke", "rotate", "approve", "reject", "disable", "enable", "remaining", "permissions", "roles");
    private static final Set<String> CREATE_FIELDS = Set.of("name", "ownerId", "tenant", "prefix", "environment", "roles",
            "permissions", "expiresAt", "ratelimits", "quota", "remaining", "refill", "ipAllowlist", "meta", "requiresApproval", "tier");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "ownerId", "roles", "permissions", "expiresAt", "ratelimits",
            "quota", "remaining", "refill", "ipAllowlist", "meta", "tier");
    private static final Set<String> IMMUTABLE_FIELDS = Set.of("tenant", "prefix", "environment", "requiresApproval", "keyId",
            "key", "start", "status", "createdAt", "updatedAt", "rotatedTo", "version");

    private KeyResource() {
    }

    static void create(AdminCall call) throws IOException {
        call.query();
        NewKey request = newKey(call, call.body(true), new JsonFields.Errors());
        IssuedKey issued = call.config().keys().create(request, call.actor());
        call.created("/keys/" + issued.key().id(), AdminViews.issued(issued.key(), issued.plaintext()));
    }

    /**
     * The {@link NewKey} of a {@code POST /keys} body (or of one item of an import, whose own fields are
     * {@code extra}). Every field is read even after one failed, so that {@code errors} learns all of them; the
     * first wrong one is thrown at the end.
     */
    static NewKey newKey(AdminCall call, ObjectNode body, JsonFields.Errors e, String... extra) {
        Set<String> known = CREATE_FIELDS;
        if (extra.length > 0) {
            known = new java.util.HashSet<>(CREATE_FIELDS);
            known.addAll(List.of(extra));
        }
        JsonFields.BODY.only(body, "", known, Set.of(), e);
        Environment env = body.hasNonNull("environment") ? e.read(() -> AdminJson.environment(body.get("environment"), "environment")) : null;
        String prefix = body.hasNonNull("prefix") ? e.read(() -> AdminJson.prefix(body.get("prefix"), "prefix"))
                : call.config().prefix(env == null ? Environment.LIVE : env);
        NewKey.Builder nb = NewKey.builder(prefix == null ? "x" : prefix);
        if (env != null) nb.environment(env);
        String tenant = body.hasNonNull("tenant") ? e.read(() -> AdminJson.nonBlank(body.get("tenant"), "tenant", 100)) : call.tenant();
        if (tenant != null) nb.tenant(tenant);
        field(e, body, "name", n -> nb.name(AdminJson.text(n, "name", AdminJson.MAX_TEXT)));
        field(e, body, "ownerId", n -> nb.ownerId(AdminJson.text(n, "ownerId", AdminJson.MAX_TEXT)));
        field(e, body, "permissions", n -> nb.permissions(AdminJson.permissions(n, "permissions")));
        field(e, body, "roles", n -> nb.roles(AdminJson.roles(n, "roles")));
        field(e, body, "expiresAt", n -> nb.expiresAt(AdminJson.instant(n, "expiresAt")));
        field(e, body, "ratelimits", n -> nb.ratelimits(AdminJson.ratelimits(n, "ratelimits")));
        field(e, body, "quota", n -> nb.quota(AdminJson.quota(n, "quota")));
        field(e, body, "remaining", n -> nb.remaining(AdminJson.remaining(n, "remaining")));
        field(e, body, "refill", n -> {
            if (!body.hasNonNull("remaining")) throw bad("refill", "needs remaining");
            nb.refill(AdminJson.refill(n, "refill"));
        });
        field(e, body, "ipAllowlist", n -> nb.ipAllowlist(AdminJson.ipAllowlist(n, "ipAllowlist")));
        field(e, body, "meta", n -> nb.meta(AdminJson.meta(n, "meta")));
        field(e, body, "requiresApproval", n -> nb.requiresApproval(AdminJson.bool(n, "requiresApproval")));
        field(e, body, "tier", n -> nb.tier(AdminJson.nonBlank(n, "tier", 100)));
        e.done();
        return nb.build();
    }

    /** Reads {@code name} of {@code body} when given and not {@code null}, a refusal told to {@code e}. */
    private static void field(JsonFields.Errors e, ObjectNode body, String name, java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> read) {
        if (body.hasNonNull(name)) e.check(() -> read.accept(body.get(name)));
    }

    /** The query parameters of {@code GET /keys}, as the OpenAPI document lists them. */
    static final String[] LIST_QUERY = {"tenant", "ownerId", "status", "q", "limit", "cursor"};

    static void list(AdminCall call) throws IOException {
        Map<String, String> q = call.query(LIST_QUERY);
        JsonFields.Errors e = new JsonFields.Errors();
        Integer limit = e.read(() -> AdminCall.limit(q.get("limit")));
        Optional<KeyStatus> status = e.read(() -> Optional.ofNullable(q.get("status")).map(KeyResource::status));
        Optional<String> search = e.read(() -> Optional.ofNullable(q.get("q")).map(KeyResource::search));
        e.done();
        // The manager scopes the listing to the caller's reach (its tenant; a keys:self caller's own keys).
        KeyQuery query = new KeyQuery(Optional.ofNullable(q.get("tenant")), Optional.ofNullable(q.get("ownerId")), limit, Optional.ofNullable(q.get("cursor")), status, search);
        call.ok(AdminViews.page(call.config().keys().list(query, call.actor()), AdminViews::key));
    }

    /** {@code status} of a listing: a status as the views write it, in any case. */
    private static KeyStatus status(String text) {
        for (KeyStatus st : KeyStatus.values()) if (st.name().equalsIgnoreCase(text)) return st;
        throw AdminJson.bad("status", "must be one of " + java.util.Arrays.stream(KeyStatus.values()).map(AdminViews::status).toList());
    }

    /** {@code q} of a listing: 1 to {@value KeyQuery#MAX_SEARCH} characters. */
    private static String search(String text) {
        if (text.isEmpty() || text.length() > KeyQuery.MAX_SEARCH) throw AdminJson.bad("q", "must be 1 to " + KeyQuery.MAX_SEARCH + " characters");
        return text;
    }

    static void get(AdminCall call) throws IOException {
        call.query();
        ApiKey k = call.config().keys().get(call.id(), call.actor()).orElseThrow(() -> notFound(call));
        ObjectNode o = AdminViews.key(k);
        o.set("current", current(call.config(), k));
        call.ok(o);
    }

    /**
     * What is left now of the key's uses and of its quota period, from the usage counters (the key's own
     * {@code remaining} is what it was given); null when the counters cannot be read, so that the key still shows.
     */
    private static ObjectNode current(KeyAdminServlet.Config c, ApiKey k) {
        long now = c.clock().nanos();
        try {
            OptionalLong uses = c.quotas().remaining(k, now), quota = c.quotas().quotaRemaining(k, now);
            ObjectNode o = AdminViews.NODES.objectNode();
            if (uses.isPresent()) o.put("remaining", uses.getAsLong());
            else o.putNull("remaining");
            if (quota.isPresent()) o.put("quotaRemaining", quota.getAsLong());
            else o.putNull("quotaRemaining");
            return o;
        } catch (StoreException e) {
            return null;
        }
    }

    static void patch(AdminCall call) throws IOException {
        call.query();
        ObjectNode body = call.body(true);
        JsonFields.Errors errors = new JsonFields.Errors();
        JsonFields.BODY.only(body, "", PATCH_FIELDS, IMMUTABLE_FIELDS, errors);
        List<UnaryOperator<ApiKey.Builder>> changes = changes(body, errors);
        KeyManager keys = call.config().keys();
        if (changes.isEmpty()) {
            ApiKey current = keys.get(call.id()).orElseThrow(() -> notFound(call));
            call.config().policy().checkChange(call.actor(), current);
            requireRemainingForRefill(body, current);
            call.ok(AdminViews.key(current));
            return;
        }
        ApiKey updated = keys.update(call.id(), b -> {
            requireRemainingForRefill(body, b.build());
            for (UnaryOperator<ApiKey.Builder> ch : changes) b = ch.apply(b);
            return b;
        }, call.actor());
        call.ok(AdminViews.key(updated));
    }

    /** One change per field given; {@code null} clears. */
    private static List<UnaryOperator<ApiKey.Builder>> changes(ObjectNode body, JsonFields.Errors e) {
        List<UnaryOperator<ApiKey.Builder>> changes = new ArrayList<>();
        if (body.has("name")) e.check(() -> {
            String v = body.get("name").isNull() ? "" : AdminJson.text(body.get("name"), "name", AdminJson.MAX_TEXT);
            changes.add(b -> b.name(v));
        });
        if (body.has("ownerId")) e.check(() -> {
            String v = body.get("ownerId").isNull() ? "" : AdminJson.text(body.get("ownerId"), "ownerId", AdminJson.MAX_TEXT);
            changes.add(b -> b.ownerId(v));
        });
        if (body.has("roles")) e.check(() -> {
            Set<String> v = body.get("roles").isNull() ? Set.of() : AdminJson.roles(body.get("roles"), "roles");
            changes.add(b -> b.roles(v));
        });
        if (body.has("permissions")) e.check(() -> {
            Set<String> v = body.get("permissions").isNull() ? Set.of() : AdminJson.permissions(body.get("permissions"), "permissions");
            changes.add(b -> b.permissions(v));
        });
        if (body.has("expiresAt")) e.check(() -> {
            Optional<Instant> v = body.get("expiresAt").isNull() ? Optional.empty() : Optional.of(AdminJson.instant(body.get("expiresAt"), "expiresAt"));
            changes.add(b -> b.expiresAt(v));
        });
        if (body.has("ratelimits")) e.check(() -> {
            List<RateLimit> v = body.get("ratelimits").isNull() ? List.of() : AdminJson.ratelimits(body.get("ratelimits"), "ratelimits");
            changes.add(b -> b.ratelimits(v));
        });
        if (body.has("quota")) e.check(() -> {
            Optional<Quota> v = AdminJson.quota(body.get("quota"), "quota");
            changes.add(b -> b.quota(v));
        });
        if (body.has("remaining")) e.check(() -> {
            OptionalLong v = AdminJson.remaining(body.get("remaining"), "remaining");
            changes.add(b -> b.remaining(v));
        });
        if (body.has("refill")) e.check(() -> {
            var v = AdminJson.refill(body.get("refill"), "refill");
            changes.add(b -> b.refill(v));
        });
        if (body.has("ipAllowlist")) e.check(() -> {
            List<String> v = body.get("ipAllowlist").isNull() ? List.of() : AdminJson.ipAllowlist(body.get("ipAllowlist"), "ipAllowlist");
            changes.add(b -> b.ipAllowlist(v));
        });
        if (body.has("meta")) e.check(() -> {
            Map<String, dev.keys.api.JsonValue> v = body.get("meta").isNull() ? Map.of() : AdminJson.meta(body.get("meta"), "meta");
            changes.add(b -> b.meta(v));
        });
        if (body.has("tier")) e.check(() -> {
            Optional<String> v = body.get("tier").isNull() ? Optional.empty() : Optional.of(AdminJson.nonBlank(body.get("tier"), "tier", 100));
            changes.add(b -> b.tier(v));
        });
        e.done();
        return changes;
    }

    /** A refill counts remaining uses back up: the patched key, {@code current} with {@code body} applied, needs them. */
    private static void requireRemainingForRefill(ObjectNode body, ApiKey current) {
        boolean remaining = body.has("remaining") ? body.hasNonNull("remaining") : current.remaining().isPresent();
        boolean refill = body.has("refill") ? body.hasNonNull("refill") : current.refill().isPresent();
        if (refill && !remaining) throw bad(body.has("refill") ? "refill" : "remaining", "refill needs remaining");
    }

    static void action(AdminCall call) throws IOException {
        call.query();
        String a = call.action();
        if (a.equals("remaining")) {
            remaining(call, call.body(true));
            return;
        }
        if (a.equals("permissions") || a.equals("roles")) {
            grants(call, call.body(true), a.equals("roles"));
            return;
        }
        ObjectNode body = call.body(false);
        AdminJson.onlyFields(body, switch (a) {
            case "revoke", "reject", "disable" -> Set.of("reason");
            case "rotate" -> Set.of("gracePeriod");
            default -> Set.<String>of();
        }, Set.of(), "");
        Optional<String> reason = body.hasNonNull("reason") ? Optional.of(AdminJson.text(body.get("reason"), "reason", 500)) : Optional.empty();
        Duration grace = body.hasNonNull("gracePeriod") ? AdminJson.duration(body.get("gracePeriod"), "gracePeriod", false) : Duration.ZERO;
        KeyManager m = call.config().keys();
        String id = call.id();
        if (a.equals("rotate")) {
            IssuedKey fresh = m.rotate(id, grace, call.actor());
            ObjectNode out = AdminViews.issued(fresh.key(), fresh.plaintext());
            out.put("rotatedFrom", id);
            call.created("/keys/" + fresh.key().id(), out);
            return;
        }
        ApiKey k = switch (a) {
            case "revoke" -> m.revoke(id, call.actor(), reason);
            case "approve" -> m.approve(id, call.actor(), Optional.empty());
            case "reject" -> m.reject(id, call.actor(), reason);
            case "disable" -> m.disable(id, call.actor(), reason);
            case "enable" -> m.enable(id, call.actor());
            default -> throw notFound(call);
        };
        call.ok(AdminViews.key(k));
    }

    /** {@code DELETE /keys/{id}}: 204, the key and its digest erased; the audit keeps who did it. */
    static void erase(AdminCall call) {
        call.query();
        call.config().keys().erase(call.id(), call.actor());
        call.noContent();
    }

    /** {@code POST /keys/{id}/remaining} {@code {op: set|increment|decrement, value}}: 200 {@code {keyId, remaining}}. */
    private static void remaining(AdminCall call, ObjectNode body) throws IOException {
        JsonFields.Errors e = new JsonFields.Errors();
        JsonFields.BODY.only(body, "", Set.of("op", "value"), Set.of(), e);
        String op = e.read(() -> {
            String o = AdminJson.text(JsonFields.BODY.required(body, "", "op"), "op", 20).toLowerCase(java.util.Locale.ROOT);
            if (!Set.of("set", "increment", "decrement").contains(o)) throw bad("op", "must be set, increment or decrement");
            return o;
        });
        Long value = e.read(() -> AdminJson.integer(JsonFields.BODY.required(body, "", "value"), "value", 0));
        e.done();
        KeyManager m = call.config().keys();
        long left = switch (op) {
            case "set" -> m.setRemaining(call.id(), value, call.actor());
            case "increment" -> m.addRemaining(call.id(), value, call.actor());
            default -> m.addRemaining(call.id(), -value, call.actor());
        };
        ObjectNode out = AdminViews.NODES.objectNode();
        out.put("keyId", call.id());
        out.put("remaining", left);
        call.ok(out);
    }

    /** {@code POST /keys/{id}/permissions} or {@code /roles} {@code {add[], remove[]}}: single grants, the rest kept. */
    private static void grants(AdminCall call, ObjectNode body, boolean roles) throws IOException {
        JsonFields.Errors e = new JsonFields.Errors();
        JsonFields.BODY.only(body, "", Set.of("add", "remove"), Set.of(), e);
        Set<String> add = body.hasNonNull("add") ? e.read(() -> roles ? AdminJson.roles(body.get("add"), "add") : AdminJson.permissions(body.get("add"), "add")) : Set.of();
        Set<String> remove = body.hasNonNull("remove") ? e.read(() -> roles ? AdminJson.roles(body.get("remove"), "remove") : AdminJson.permissions(body.get("remove"), "remove")) : Set.of();
        e.done();
        if (add.stream().anyMatch(remove::contains)) throw bad("remove", "names a grant that add names too");
        ApiKey updated = call.config().keys().update(call.id(), b -> {
            Set<String> now = new java.util.LinkedHashSet<>(roles ? b.build().roles() : b.build().permissions());
            now.addAll(add);
            now.removeAll(remove);
            if (now.size() > AdminJson.MAX_ITEMS) throw bad("add", "the key would hold more than " + AdminJson.MAX_ITEMS);
            return roles ? b.roles(now) : b.permissions(now);
        }, call.actor());
        call.ok(AdminViews.key(updated));
    }

    /** {@code POST /keys/verify}: a verification for callers outside a servlet; another tenant's key is unknown. */
    static void verify(AdminCall call) throws IOException {
        call.query();
        ObjectNode body = call.body(true);
        AdminJson.onlyFields(body, Set.of("key", "permissions", "clientAddress"), Set.of(), "");
        if (!body.hasNonNull("key")) throw bad("key", "is required");
        String key = AdminJson.text(body.get("key"), "key", 256);
        Set<String> permissions = body.hasNonNull("permissions") ? AdminJson.permissions(body.get("permissions"), "permissions") : Set.of();
        Requirement requirement = Requirement.NONE;
        if (!permissions.isEmpty()) {
            try {
                requirement = Requirement.of(PermissionQuery.parse(String.join(" AND ", permissions)));
            } catch (IllegalArgumentException e) {
                throw bad("permissions", "too many or too long");
            }
        }
        RequestContext ctx = RequestContext.NONE;
        if (body.hasNonNull("clientAddress")) {
            String a = AdminJson.text(body.get("clientAddress"), "clientAddress", 64);
            ctx = ctx.withClientAddress(Requests.literalAddress(a).orElseThrow(() -> bad("clientAddress", "not an IP address")));
        }
        KeyAdminServlet.Config c = call.config();
        c.policy().require(call.actor(), Actor.Right.VERIFY);
        // Confined to its tenant, a caller's verify is denied in step 5 for another tenant's key, before any of
        // that key's remaining uses, quota or rate-limit tokens are spent; it is answered NOT_FOUND below.
        if (!call.actor().admin()) requirement = Requirement.of(requirement.query(), Condition.tenant(call.tenant()));
        Verification v = c.verifier().verify(key, ctx, requirement);
        if (v.outcome() == Outcome.STORE_UNAVAILABLE) throw new StoreException.Unavailable("store unavailable", null);
        Optional<ApiKey> k = v instanceof Verification.Valid valid ? Optional.of(valid.key()) : ((Verification.Denied) v).key();
        Outcome outcome = v.outcome();
        if (k.isPresent() && !call.actor().reaches(k.get().tenant())) {
            k = Optional.empty();
            outcome = Outcome.NOT_FOUND;
        }
        ObjectNode out = AdminViews.NODES.objectNode();
        out.put("valid", outcome == Outcome.VALID);
        out.put("code", outcome.name());
        if (k.isPresent()) {
            out.put("keyId", k.get().id());
            out.put("ownerId", k.get().ownerId());
            out.put("tenant", k.get().tenant());
            OptionalLong left = c.quotas().remaining(k.get(), c.clock().nanos());
            if (left.isPresent()) out.put("remaining", left.getAsLong());
            else out.putNull("remaining");
        } else {
            for (String f : List.of("keyId", "ownerId", "tenant", "remaining")) out.putNull(f);
        }
        RateLimitReport report = v instanceof Verification.Valid valid ? valid.rateLimits() : ((Verification.Denied) v).rateLimits();
        out.set("ratelimits", k.isPresent() ? AdminViews.ratelimitStatuses(report.statuses()) : AdminViews.NODES.arrayNode());
        call.ok(out);
    }

    private static StoreException.NotFound notFound(AdminCall call) {
        return new StoreException.NotFound("no key with id " + call.id());
    }
}
