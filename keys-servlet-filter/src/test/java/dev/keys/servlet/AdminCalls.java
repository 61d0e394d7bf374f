package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Calls of the admin API under {@code base} by a caller's key, and the checks of their answers by status and code
 * alone, so that the tests of the caller rules do not depend on the rest of an answer's shape.
 */
record AdminCalls(JettyHarness h, String base) {
    Exchange call(IssuedKey caller, String method, String path, String body) {
        return h.json(method, base + path, body, "Authorization", "Bearer " + caller.plaintext());
    }

    /** The answer's JSON, once its status (and, when given, its {@code code}) are as expected. */
    static JsonNode status(Exchange e, int status, String code) {
        assertEquals(status, e.status(), e.method() + " " + e.uri() + ": " + e.body());
        JsonNode b = e.json();
        if (code != null) assertEquals(code, b.get("code").asText(), e.body());
        return b;
    }

    static void forbidden(Exchange e) {
        status(e, 403, "INSUFFICIENT_PERMISSIONS");
    }
}
