package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.JsonValue;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.keys.servlet.AdminCalls.status;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code meta} of any JSON values over a real Jetty (docs/contract.md §5): created, read, changed and imported as
 * sent, numbers exactly as written, and bounded (4 KiB compact, 8 levels) with a 400 naming {@code meta}.
 */
class MetaOverHttpTest {
    static final String BASE = "/admin/v1";
    static final String META = "{\"a\":{\"b\":[1,2.50,-3E+2,true,false,null,\"x\"]},\"n\":100,\"s\":\"text\",\"z\":{}}";
    static JettyHarness h;
    static AdminCalls api;
    static IssuedKey root;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        api = new AdminCalls(h, BASE);
        h.servlet(BASE + "/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).build()).start();
        root = h.issue(NewKey.builder("ops_live").permissions(AdminPolicy.ADMIN));
        status(h.json("POST", BASE + "/keys", "{}"), 401, "MISSING");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    @Test
    void anyJsonValuesRoundTripThroughCreateGetPatchAndTheModel() {
        // The raw answers: the test's own JSON reader would read 2.50 as the double 2.5.
        var create = api.call(root, "POST", "/keys", "{\"meta\":" + META + "}");
        String id = status(create, 201, null).get("keyId").asText();
        assertTrue(create.body().contains("\"meta\":" + META + ","), create.body());
        var get = api.call(root, "GET", "/keys/" + id, null);
        assertTrue(get.body().contains("\"meta\":" + META + ","), get.body());
        JsonValue n = h.keys.manager().get(id).orElseThrow().meta().get("n");
        assertEquals(JsonValue.of(100), n);

        JsonNode patched = status(api.call(root, "PATCH", "/keys/" + id, "{\"meta\":{\"plan\":\"pro\",\"seats\":[1,2]}}"), 200, null);
        assertEquals("{\"plan\":\"pro\",\"seats\":[1,2]}", patched.get("meta").toString());
        JsonNode audit = status(api.call(root, "GET", "/audit?keyId=" + id, null), 200, null).get("items").get(0);
        assertEquals("[\"{a={\\\"b\\\":[1,2.50,-3E+2,true,false,null,\\\"x\\\"]}, n=100, s=text, z={}}\",\"{plan=pro, seats=[1,2]}\"]",
                audit.get("changes").get("meta").toString());
        assertEquals("{}", status(api.call(root, "PATCH", "/keys/" + id, "{\"meta\":null}"), 200, null).get("meta").toString());
    }

    @Test
    void anImportedKeyCarriesItsMeta() {
        JsonNode out = status(api.call(root, "POST", "/keys/import", "{\"keys\":[{\"sha256\":\"" + "ab".repeat(32)
                + "\",\"externalId\":\"legacy-1\",\"meta\":{\"legacy\":{\"plan\":\"gold\",\"since\":2019}}}]}"), 200, null);
        assertEquals(1, out.get("imported").asInt(), out.toString());
        JsonNode page = status(api.call(root, "GET", "/keys?limit=100", null), 200, null).get("items");
        boolean found = false;
        for (JsonNode k : page) found |= k.get("meta").toString().equals("{\"legacy\":{\"plan\":\"gold\",\"since\":2019}}");
        assertTrue(found, page.toString());
        JsonNode bad = status(api.call(root, "POST", "/keys/import", "{\"keys\":[{\"sha256\":\"" + "cd".repeat(32)
                + "\",\"externalId\":\"legacy-2\",\"meta\":{\"a\":[[[[[[[[]]]]]]]]}}]}"), 200, null);
        assertEquals("[{\"index\":0,\"field\":\"meta\",\"detail\":\"must nest at most 8 levels deep\"}]", bad.get("errors").toString());
    }

    @Test
    void tooBigOrTooDeepAnswers400NamingMetaOnCreateAndPatch() {
        String id = status(api.call(root, "POST", "/keys", "{}"), 201, null).get("keyId").asText();
        String deep = "{\"a\":" + "[".repeat(7) + "]".repeat(7) + "}";
        status(api.call(root, "POST", "/keys", "{\"meta\":" + deep + "}"), 201, null);
        String tooDeep = "{\"a\":" + "[".repeat(8) + "]".repeat(8) + "}";
        // Far deeper than Jackson reads at all: a 400 too, naming the body.
        status(api.call(root, "POST", "/keys", "{\"meta\":{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}}"), 400, "INVALID_REQUEST");
        for (String body : List.of("{\"meta\":" + tooDeep + "}", "{\"meta\":{\"big\":\"" + "é".repeat(2100) + "\"}}", "{\"meta\":\"x\"}")) {
            for (var e : List.of(api.call(root, "POST", "/keys", body), api.call(root, "PATCH", "/keys/" + id, body))) {
                JsonNode p = status(e, 400, "INVALID_REQUEST");
                assertEquals("meta", p.get("errors").get(0).get("field").asText(), p.toString());
            }
        }
    }
}
