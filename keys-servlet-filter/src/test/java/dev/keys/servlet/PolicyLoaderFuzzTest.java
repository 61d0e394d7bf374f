package dev.keys.servlet;

import dev.keys.core.authz.Policy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fuzzes {@link PolicyLoader}: whatever the document, it loads or throws {@link IllegalArgumentException} (its
 * declared error, of which {@link QuerySyntaxException} is one), never anything else; and a policy that loads is
 * usable: matching a few paths throws nothing.
 */
class PolicyLoaderFuzzTest {
    static final List<String> FRAGMENTS = List.of("{", "}", "[", "]", ",", ":", "\"roles\"", "\"routes\"", "\"unmatched\"",
            "\"caseInsensitive\"", "\"trustedProxies\"", "\"methods\"", "\"method\"", "\"path\"", "\"query\"", "\"conditions\"",
            "\"reader\"", "\"documents:read\"", "\"*:*\"", "\"GET /documents/** -> documents:read\"", "\"* /admin/** -> keys:admin [ip 10.0.0.0/8]\"",
            "\"/a/{id}\"", "\"/**\"", "\"/a/**/b\"", "\"a:b AND (c:d OR e:*)\"", "\"ip 10.0.0.0/8\"", "\"env live\"", "\"time 09:00-17:00\"",
            "\"10.0.0.0/8\"", "\"::1/128\"", "\"999.0.0.0/8\"", "\"deny\"", "\"allow\"", "true", "false", "null", "0", "-1", "1e999",
            "\"\"", "\"GET\"", "\"get\"", "\"* /x -> [\"", "\"\\u0000\"", "\"/%2e%2e/admin\"");

    @FuzzTest(maxDuration = "30s")
    void arbitraryJson(byte[] input) {
        load(new String(input, StandardCharsets.UTF_8), false);
    }

    /** Documents assembled from policy fragments, so that most get past the JSON parser into the policy checks. */
    @FuzzTest(maxDuration = "30s")
    void fragments(FuzzedDataProvider data) {
        StringBuilder sb = new StringBuilder();
        int n = data.consumeInt(0, 40);
        for (int i = 0; i < n; i++) sb.append(data.pickValue(FRAGMENTS));
        load(sb.toString(), data.consumeBoolean());
    }

    static void load(String text, boolean yaml) {
        Policy p;
        try {
            p = yaml ? PolicyLoader.loadYaml(text) : PolicyLoader.loadJson(text);
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            return;
        }
        for (String path : List.of("/", "/admin", "/documents/1", "/a/b/c")) {
            assertNotNull(p.routes().match("GET", path));
        }
    }
}
