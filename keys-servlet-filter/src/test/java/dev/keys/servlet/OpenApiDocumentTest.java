package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import dev.keys.servlet.harness.OpenApiContract;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The OpenAPI document of the admin API (docs/contract.md §5): valid for an OpenAPI parser, served as it is kept,
 * to admin callers only, and listing exactly the routes and methods the router serves, so that neither can change
 * without the other.
 */
class OpenApiDocumentTest {
    static final String BASE = "/admin/v1";
    static JettyHarness h;
    static IssuedKey admin, verifier, reader;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        h.servlet(BASE + "/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).usageLog(h.usage).build()).start();
        admin = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(KeyAdminServlet.ADMIN));
        verifier = h.issue(NewKey.builder("ops_live").tenant("ops").permissions("keys:verify"));
        reader = h.issue(NewKey.builder("ops_live").tenant("ops").permissions("keys:read"));
    }

    @AfterAll
    static void stop() throws Exception {
        h.closeAfterLeakCheck();
    }

    @Test
    void theDocumentIsValidOpenApi31WithoutAnyMessage() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(new String(OpenApiDocument.bytes(), StandardCharsets.UTF_8), null, options);
        assertEquals(List.of(), result.getMessages());
        assertNotNull(result.getOpenAPI());
        assertEquals("3.1.0", result.getOpenAPI().getOpenapi());
        assertTrue(result.getOpenAPI().getPaths().size() >= 20);
    }

    @Test
    void theServedDocumentIsTheResourceAndNeedsAnAdminCaller() {
        Exchange e = h.get(BASE + "/openapi.json", "Authorization", "Bearer " + admin.plaintext());
        assertEquals(200, e.status(), e.body());
        assertEquals("application/json", e.header("Content-Type"));
        assertEquals(new String(OpenApiDocument.bytes(), StandardCharsets.UTF_8), e.body());
        // Any admin caller: one that may only verify keys is a client of the contract too.
        assertEquals(200, h.get(BASE + "/openapi.json", "X-API-Key", verifier.plaintext()).status());
        Exchange head = h.send(h.request(BASE + "/openapi.json").header("X-API-Key", admin.plaintext())
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, head.status());
        assertEquals("", head.body());
        // HEAD is held to GET's right: a reader may (it needed keys:manage before the document said otherwise).
        Exchange readerHead = h.send(h.request(BASE + "/keys").header("X-API-Key", reader.plaintext())
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, readerHead.status());
        // Like every call under the admin base, nothing for a caller without a key.
        JettyHarness.problem(h.get(BASE + "/openapi.json"), 401, "MISSING", "Missing credential");
        JettyHarness.problem(h.get(BASE + "/openapi.json", "Authorization", "Bearer ops_live_nope"), 401, "MALFORMED", "Malformed credential");
        JettyHarness.problem(h.json("POST", BASE + "/openapi.json", "{}", "Authorization", "Bearer " + admin.plaintext()), 405,
                "METHOD_NOT_ALLOWED", "Method not allowed");
        JettyHarness.problem(h.get(BASE + "/openapi.json?x=1", "Authorization", "Bearer " + admin.plaintext()), 400,
                "INVALID_REQUEST", "Invalid request");
    }

    /** The check itself refuses what the document does not say, naming the operation, the status and the error. */
    @Test
    void theCheckRefusesAnswersTheDocumentDoesNotDescribe() {
        OpenApiContract c = OpenApiContract.get();
        OpenApiContract.Mounts m = new OpenApiContract.Mounts().admin(BASE);
        java.util.Map<String, String> json = java.util.Map.of("Content-Type", "application/json", "X-Request-Id", "r1", "Allow", "GET, HEAD");
        java.util.function.Function<String, String> headers = json::get;
        String key = h.json("GET", BASE + "/keys/" + admin.key().id(), null, "X-API-Key", admin.plaintext()).body();
        c.check(m, "GET", BASE + "/keys/" + admin.key().id(), 200, headers, key);
        AssertionError e = assertThrows(AssertionError.class, () -> c.check(m, "GET", BASE + "/keys/k1", 200, headers, key.replace("\"version\":", "\"versio\":")));
        assertTrue(e.getMessage().startsWith("OpenAPI: getKey (GET /keys/{keyId}) answered 200 with a body that does not validate"), e.getMessage());
        assertTrue(e.getMessage().contains("version"), e.getMessage());
        e = assertThrows(AssertionError.class, () -> c.check(m, "GET", BASE + "/keys/k1", 200, headers, key.replace("\"status\":\"active\"", "\"status\":\"gone\"")));
        assertTrue(e.getMessage().contains("status"), e.getMessage());
        e = assertThrows(AssertionError.class, () -> c.check(m, "GET", BASE + "/keys/k1", 409, headers, "{}"));
        assertTrue(e.getMessage().contains("getKey (GET /keys/{keyId}) answered 409, which the document does not list"), e.getMessage());
        e = assertThrows(AssertionError.class, () -> c.check(m, "GET", BASE + "/keys/k1", 200, n -> n.equals("Content-Type") ? "text/plain" : null, key));
        assertTrue(e.getMessage().contains("as text/plain"), e.getMessage());
        e = assertThrows(AssertionError.class, () -> c.check(m, "PUT", BASE + "/keys/k1", 405, n -> null, ""));
        assertTrue(e.getMessage().contains("without the header"), e.getMessage());
        e = assertThrows(AssertionError.class, () -> c.check(m, "GET", BASE + "/nothing", 200, headers, "{}"));
        assertTrue(e.getMessage().contains("no such path"), e.getMessage());
        c.check(m, "GET", "/elsewhere", 500, headers, "not checked: outside the mounts");
    }

    /** Every path of the document under the admin base routes, with the document's methods, and every route is in it. */
    @Test
    void theDocumentAndTheRouterListTheSameRoutesAndMethods() {
        JsonNode paths = OpenApiContract.get().document().get("paths");
        Set<AdminRouter.Route> seen = EnumSet.noneOf(AdminRouter.Route.class);
        Set<String> keyActions = new TreeSet<>(), clientActions = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        for (var it = paths.fieldNames(); it.hasNext(); ) {
            String template = it.next();
            if (paths.get(template).has("servers")) continue; // outside the admin base
            if (DashboardResource.owns(template)) continue;   // the dashboard's, served before the router
            String concrete = template.replaceAll("\\{[^}]+}", "id-1");
            AdminRouter.Match m;
            try {
                m = AdminRouter.match(concrete, true);
            } catch (AdminRouter.Failure f) {
                wrong.add(template + ": in the document, not routed");
                continue;
            }
            seen.add(m.route());
            if (m.route() == AdminRouter.Route.KEY_ACTION) keyActions.add(m.action());
            if (m.route() == AdminRouter.Route.CLIENT_ACTION) clientActions.add(m.action());
            Set<String> routed = new TreeSet<>(Arrays.asList(m.route().allow.split(", ")));
            Set<String> documented = OpenApiContract.get().methods(template);
            if (!routed.equals(documented)) wrong.add(template + ": the router allows " + routed + ", the document lists " + documented);
        }
        Set<AdminRouter.Route> missing = EnumSet.complementOf(EnumSet.copyOf(seen));
        if (!missing.isEmpty()) wrong.add("routes the document does not list: " + missing);
        if (!keyActions.equals(new TreeSet<>(KeyResource.ACTIONS))) wrong.add("key actions: router " + new TreeSet<>(KeyResource.ACTIONS) + ", document " + keyActions);
        if (!clientActions.equals(new TreeSet<>(AdminRouter.CLIENT_ACTIONS))) {
            wrong.add("client actions: router " + new TreeSet<>(AdminRouter.CLIENT_ACTIONS) + ", document " + clientActions);
        }
        assertEquals(List.of(), wrong);
    }

    /** The listing's query parameters in the document are those the servlet reads, no more, no fewer. */
    @Test
    void theListingParametersAreTheServlets() {
        JsonNode params = OpenApiContract.get().document().at("/paths/~1keys/get/parameters");
        Set<String> documented = new TreeSet<>();
        params.forEach(p -> documented.add(p.get("name").asText()));
        assertEquals(new TreeSet<>(Arrays.asList(KeyResource.LIST_QUERY)), documented);
    }

    /** Operation ids are unique (client generators name methods after them) and every operation says what it needs. */
    @Test
    void everyOperationHasAUniqueIdAndDocumentsItsErrors() {
        JsonNode paths = OpenApiContract.get().document().get("paths");
        Set<String> ids = new HashSet<>();
        List<String> wrong = new ArrayList<>();
        for (var it = paths.properties().iterator(); it.hasNext(); ) {
            var p = it.next();
            boolean admin = !p.getValue().has("servers");
            for (String method : OpenApiContract.get().methods(p.getKey())) {
                JsonNode op = p.getValue().get(method.toLowerCase());
                if (!ids.add(op.path("operationId").asText())) wrong.add(method + " " + p.getKey() + ": operationId missing or twice");
                if (admin && !method.equals("HEAD")) {
                    for (String status : List.of("400", "401", "403", "429", "503")) {
                        if (!op.get("responses").has(status)) wrong.add(method + " " + p.getKey() + " does not document " + status);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
    }
}
