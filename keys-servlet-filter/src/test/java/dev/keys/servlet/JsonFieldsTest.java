package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The one field reader: every error names the field; only the wording differs between documents. */
class JsonFieldsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    static String error(Runnable r) {
        return assertThrows(JsonFields.Invalid.class, r::run).getMessage();
    }

    @Test
    void unknownFieldsAreNamedAndBodyNamesOnlyWhenPlain() throws Exception {
        JsonNode o = json("{\"name\":\"x\",\"colour\":1}");
        assertEquals("colour: unknown field", error(() -> JsonFields.BODY.only(o, "", Set.of("name"))));
        assertEquals("q.colour: unknown field (expected name)", error(() -> JsonFields.POLICY.only(o, "q.", Set.of("name"), Set.of(), "name")));
        assertEquals("name: cannot be changed", error(() -> JsonFields.BODY.only(o, "", Set.of("colour"), Set.of("name"), "")));
        JsonNode odd = json("{\"sk_live_a b\":1}");
        assertEquals("<field>: unknown field", error(() -> JsonFields.BODY.only(odd, "", Set.of())), "a body's odd name is never echoed");
        assertEquals("sk_live_a b: unknown field", error(() -> JsonFields.FILE.only(odd, "", Set.of())));
    }

    @Test
    void wrongTypesNameTheFieldInTheDocumentsWording() throws Exception {
        JsonNode n = json("{\"a\":1,\"list\":[\"x\",2]}");
        assertEquals("a: must be a string", error(() -> JsonFields.BODY.text(n.get("a"), "a")));
        assertEquals("a: expected a string", error(() -> JsonFields.POLICY.text(n.get("a"), "a")));
        assertEquals("a: must be true or false", error(() -> JsonFields.FILE.bool(n.get("a"), "a")));
        assertEquals("a: expected true or false", error(() -> JsonFields.POLICY.bool(n.get("a"), "a")));
        assertEquals("a: expected a list of strings", error(() -> JsonFields.POLICY.strings(n.get("a"), "a")));
        assertEquals("list[1]: must be a string", error(() -> JsonFields.BODY.strings(n.get("list"), "list")));
        assertEquals("a: must be an object", error(() -> JsonFields.BODY.object(n.get("a"), "a")));
        assertEquals("missing: must be a string", error(() -> JsonFields.BODY.text(n.get("missing"), "missing")));
        assertEquals("p.b: is required", error(() -> JsonFields.BODY.required(n, "p.", "b")));
        assertEquals("p.b: missing", error(() -> JsonFields.POLICY.required(n, "p.", "b")));
        assertEquals(List.of("x"), JsonFields.POLICY.strings(json("[\"x\"]"), "f"));
        assertInstanceOf(IllegalArgumentException.class, JsonFields.invalid("f", "what"));
    }
}
