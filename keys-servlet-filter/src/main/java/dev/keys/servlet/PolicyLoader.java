package dev.keys.servlet;

import dev.keys.core.authz.Condition;
import dev.keys.core.authz.IpCondition;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Permissions;
import dev.keys.core.authz.Policy;
import dev.keys.core.authz.QuerySyntaxException;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.authz.TrustedProxies;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Loads a {@link Policy} from JSON or YAML with Jackson, an optional dependency of keys-core: add
 * {@code jackson-databind} (and {@code jackson-dataformat-yaml} for YAML) to use this class.
 *
 * <pre>
 * roles:
 *   reader: [documents:read]
 *   admin:  [keys:admin, documents:*]
 * routes:
 *   - "GET /documents/** -> documents:read"
 *   - methods: [POST]
 *     path: /documents
 *     query: documents:write AND (billing:read OR admin:*)
 *     conditions: ["ip 10.0.0.0/8", "env live"]
 * unmatched: deny            # or allow
 * caseInsensitive: false
 * trustedProxies: [10.0.0.0/8]
 * tenants:                   # what each tenant's keys:manage callers may grant (docs/contract.md §5)
 *   acme:
 *     ceiling: {permissions: [documents:*], roles: [reader]}
 * </pre>
 * A tenant not under {@code tenants} has the default ceiling: the roles defined here and the permissions the
 * routes name, never a {@code keys:} right. {@code AdminPolicy.from(policy)} makes the admin API's rules of it.
 * Every field is optional. Unknown fields and duplicate keys are errors (a misspelt {@code rutes} must not drop the
 * rules silently). Errors are {@link IllegalArgumentException}s naming the field, e.g. {@code routes[2].query: ...},
 * or the line and column for a document that does not parse.
 */
public final class PolicyLoader {
    static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    /** Made on first YAML use, so that JSON users need only jackson-databind on the class path. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    }
    private static final Set<String> TOP = Set.of("roles", "routes", "unmatched", "caseInsensitive", "trustedProxies", "tenants");
    private static final Set<String> CEILING = Set.of("permissions", "roles");
    private static final Set<String> ROUTE = Set.of("method", "methods", "path", "query", "conditions");
    private static final JsonFields FIELDS = JsonFields.POLICY;

    private PolicyLoader() {
    }

    /** Loads a file, as YAML when its name ends in {@code .yaml} or {@code .yml}, otherwise as JSON. */
    public static Policy load(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        try (InputStream in = Files.newInputStream(file)) {
            return read(yaml ? Yaml.MAPPER : JSON, in, file.getFileName().toString());
        }
    }

    public static Policy loadJson(String text) {
        return read(JSON, text, "policy");
    }

    public static Policy loadYaml(String text) {
        return read(Yaml.MAPPER, text, "policy");
    }

    public static Policy loadJson(InputStream in) throws IOException {
        return read(JSON, in, "policy");
    }

    public static Policy loadYaml(InputStream in) throws IOException {
        return read(Yaml.MAPPER, in, "policy");
    }

    private static Policy read(ObjectMapper mapper, Object source, String name) {
        JsonNode root;
        try {
            root = source instanceof String s ? mapper.readTree(s) : mapper.readTree((InputStream) source);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ":";
            throw new IllegalArgumentException(name + ":" + where + " " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        try {
            return policy(root);
        } catch (IllegalArgumentException e) {
            if (e instanceof QuerySyntaxException q) throw new QuerySyntaxException(name + ": " + q.getMessage(), q.position());
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    private static Policy policy(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) throw new IllegalArgumentException("the document is empty");
        if (!root.isObject()) throw new IllegalArgumentException("expected an object at the top, with roles, routes, ...");
        FIELDS.only(root, "", TOP, Set.of(), "roles, routes, unmatched, caseInsensitive, trustedProxies, tenants");

        Roles.Builder roles = Roles.builder().source(Roles.Source.POLICY);
        if (root.has("roles")) {
            JsonNode r = FIELDS.object(root.get("roles"), "roles", "expected an object of role name to permission list");
            for (Map.Entry<String, JsonNode> e : r.properties()) {
                String field = "roles." + e.getKey();
                List<String> perms = FIELDS.strings(e.getValue(), field);
                for (int i = 0; i < perms.size(); i++) {
                    try {
                        Permissions.validate(perms.get(i));
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException(field + "[" + i + "]: " + ex.getMessage(), ex);
                    }
                }
                try {
                    roles.role(e.getKey(), perms);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(field + ": " + ex.getMessage(), ex);
                }
            }
        }

        RouteTable.Builder routes = RouteTable.builder();
        if (root.has("unmatched")) {
            String u = FIELDS.text(root.get("unmatched"), "unmatched");
            if (!u.equals("deny") && !u.equals("allow")) throw new IllegalArgumentException("unmatched: expected deny or allow, found \"" + u + "\"");
            routes.allowUnmatched(u.equals("allow"));
        }
        if (root.has("caseInsensitive")) routes.caseInsensitive(FIELDS.bool(root.get("caseInsensitive"), "caseInsensitive"));
        if (root.has("routes")) {
            JsonNode rs = FIELDS.array(root.get("routes"), "routes", "expected a list of routes, in order");
            for (int i = 0; i < rs.size(); i++) route(routes, rs.get(i), "routes[" + i + "]");
        }

        TrustedProxies proxies = TrustedProxies.NONE;
        if (root.has("trustedProxies")) {
            List<String> cidrs = FIELDS.strings(root.get("trustedProxies"), "trustedProxies");
            for (int i = 0; i < cidrs.size(); i++) {
                try {
                    IpCondition.validate(cidrs.get(i));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("trustedProxies[" + i + "]: " + e.getMessage(), e);
                }
            }
            proxies = TrustedProxies.of(cidrs);
        }
        Roles defined = roles.build();
        Map<String, Policy.Ceiling> ceilings = new LinkedHashMap<>();
        if (root.has("tenants")) {
            JsonNode ts = FIELDS.object(root.get("tenants"), "tenants", "expected an object of tenant name to {ceiling: ...}");
            for (Map.Entry<String, JsonNode> t : ts.properties()) ceilings.put(t.getKey(), ceiling(defined, t.getValue(), "tenants." + t.getKey()));
        }
        return new Policy(defined, routes.build(), proxies, ceilings);
    }

    /** {@code {ceiling: {permissions: [...], roles: [...]}}}: valid permissions, roles defined in this document. */
    private static Policy.Ceiling ceiling(Roles defined, JsonNode n, String field) {
        FIELDS.object(n, field, "expected {ceiling: {permissions: [...], roles: [...]}}");
        FIELDS.only(n, field + ".", Set.of("ceiling"), Set.of(), "ceiling");
        if (!n.has("ceiling")) throw JsonFields.invalid(field + ".ceiling", "missing");
        String c = field + ".ceiling";
        JsonNode ceiling = FIELDS.object(n.get("ceiling"), c, "expected {permissions: [...], roles: [...]}");
        FIELDS.only(ceiling, c + ".", CEILING, Set.of(), "permissions, roles");
        List<String> permissions = ceiling.has("permissions") ? FIELDS.strings(ceiling.get("permissions"), c + ".permissions") : List.of();
        for (int i = 0; i < permissions.size(); i++) {
            try {
                Permissions.validate(permissions.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(c + ".permissions[" + i + "]: " + e.getMessage(), e);
            }
        }
        List<String> roleNames = ceiling.has("roles") ? FIELDS.strings(ceiling.get("roles"), c + ".roles") : List.of();
        for (int i = 0; i < roleNames.size(); i++) {
            if (defined.permissionsOf(roleNames.get(i)).isEmpty()) throw JsonFields.invalid(c + ".roles[" + i + "]", "not a role defined under roles");
        }
        return new Policy.Ceiling(Set.copyOf(permissions), Set.copyOf(roleNames));
    }

    private static void route(RouteTable.Builder routes, JsonNode n, String field) {
        if (n.isTextual()) {
            try {
                routes.route(n.textValue());
            } catch (QuerySyntaxException e) {
                throw new QuerySyntaxException(field + ": " + e.getMessage(), e.position());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
            }
            return;
        }
        FIELDS.object(n, field, "expected a route line \"METHOD pattern -> query\" or an object");
        FIELDS.only(n, field + ".", ROUTE, Set.of(), "methods (or method), path, query, conditions");
        if (n.has("method") && n.has("methods")) throw new IllegalArgumentException(field + ": give method or methods, not both");
        String methods = "*";
        if (n.has("method")) methods = FIELDS.text(n.get("method"), field + ".method");
        if (n.has("methods")) methods = String.join(",", FIELDS.strings(n.get("methods"), field + ".methods"));
        if (!n.has("path")) throw JsonFields.invalid(field + ".path", "missing");
        String path = FIELDS.text(n.get("path"), field + ".path");
        PermissionQuery query = PermissionQuery.NONE;
        if (n.has("query")) {
            try {
                query = PermissionQuery.parse(FIELDS.text(n.get("query"), field + ".query"));
            } catch (QuerySyntaxException e) {
                throw new QuerySyntaxException(field + ".query: " + e.getMessage(), e.position());
            }
        }
        List<Condition> conditions = new ArrayList<>();
        if (n.has("conditions")) {
            List<String> cs = FIELDS.strings(n.get("conditions"), field + ".conditions");
            for (int i = 0; i < cs.size(); i++) {
                try {
                    conditions.add(Condition.parse(cs.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(field + ".conditions[" + i + "]: " + e.getMessage(), e);
                }
            }
        }
        try {
            routes.route(methods, path, new Requirement(query, conditions));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }
}
