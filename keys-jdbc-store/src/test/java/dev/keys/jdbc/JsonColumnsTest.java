package dev.keys.jdbc;

import dev.keys.api.JsonValue;
import dev.keys.api.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The JSON columns read and write exactly the text of the hand-written writer this store used before Jackson (the
 * literals below are its output), so that existing rows read back the same and new rows look like old ones.
 */
class JsonColumnsTest {
    static final String NOTE = "tab\t nl\n cr\r bs\b ff\f bel\u0007 ls\u2028 ps\u2029 e\u00e9 key\uD83D\uDD11 del\u007f /slash";
    static final String OLD_STRINGS = "[\"billing:*\",\"documents:read\",\"quote\\\"back\\\\slash\"]";
    static final String OLD_META = "{\"\":\"\",\"note\":\"tab\\t nl\\n cr\\r bs\\u0008 ff\\u000c bel\\u0007 ls\\u2028 ps\\u2029 e\u00e9 key\uD83D\uDD11 del\u007f /slash\",\"plan\":\"pro\"}";
    static final String OLD_LIMITS = "[{\"name\":\"burst\",\"limit\":10,\"duration\":\"PT1S\",\"burst\":20},"
            + "{\"name\":\"sustained\",\"limit\":1000,\"duration\":\"PT1M\",\"burst\":1000}]";
    static final String OLD_CHANGES = "{\"name\":[\"before \\\"1\\\"\",\"after\\n1\"],\"roles\":[\"\",\"[reader]\"]}";

    static final List<String> STRINGS = List.of("billing:*", "documents:read", "quote\"back\\slash");
    static final Map<String, JsonValue> META = new TreeMap<>(JsonValue.strings(Map.of("", "", "note", NOTE, "plan", "pro")));
    static final List<RateLimit> LIMITS = List.of(new RateLimit("burst", 10, Duration.ofSeconds(1), 20),
            new RateLimit("sustained", 1000, Duration.ofMinutes(1), 1000));

    static Map<String, List<String>> changes() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("name", List.of("before \"1\"", "after\n1"));
        m.put("roles", List.of("", "[reader]"));
        return m;
    }

    @Test
    void writesTheTextTheStoreAlwaysWrote() {
        assertEquals(OLD_STRINGS, JsonColumns.strings(new TreeSet<>(STRINGS)));
        assertEquals(OLD_META, JsonColumns.meta(META));
        assertEquals(OLD_LIMITS, JsonColumns.rateLimits(LIMITS));
        assertEquals(OLD_CHANGES, JsonColumns.changes(changes()));
        assertEquals("[]", JsonColumns.strings(List.of()));
        assertEquals("{}", JsonColumns.meta(Map.of()));
        assertEquals("[]", JsonColumns.rateLimits(List.of()));
    }

    @Test
    void aScopeIsWrittenOnlyWhenNotKeyAndOldRowsReadAsKey() {
        List<RateLimit> scoped = List.of(new RateLimit("sustained", 5, Duration.ofHours(1), 0, RateLimit.Scope.OWNER),
                new RateLimit("fleet", 9, Duration.ofMinutes(1), 3, RateLimit.Scope.TENANT), new RateLimit("burst", 1, Duration.ofSeconds(1)));
        String text = JsonColumns.rateLimits(scoped);
        assertEquals("[{\"name\":\"sustained\",\"limit\":5,\"duration\":\"PT1H\",\"burst\":0,\"scope\":\"owner\"},"
                + "{\"name\":\"fleet\",\"limit\":9,\"duration\":\"PT1M\",\"burst\":3,\"scope\":\"tenant\"},"
                + "{\"name\":\"burst\",\"limit\":1,\"duration\":\"PT1S\",\"burst\":0}]", text);
        assertEquals(scoped, JsonColumns.rateLimits("ratelimits", text));
        assertEquals(RateLimit.Scope.KEY, JsonColumns.rateLimits("ratelimits", OLD_LIMITS).get(0).scope());
        assertEquals(RateLimit.Scope.OWNER, JsonColumns.rateLimits("ratelimits",
                "[{\"name\":\"s\",\"limit\":5,\"duration\":\"PT1H\",\"burst\":0,\"scope\":\"OWNER\"}]").get(0).scope());
        for (String bad : List.of("\"fleet\"", "7", "null")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> JsonColumns.rateLimits("ratelimits",
                    "[{\"name\":\"s\",\"limit\":5,\"duration\":\"PT1H\",\"burst\":0,\"scope\":" + bad + "}]"));
            assertEquals("malformed JSON in key store column ratelimits: a rate limit's scope is not key, owner or tenant", e.getMessage());
        }
    }

    @Test
    void readsTheOldTextBackTheSame() {
        assertEquals(STRINGS, JsonColumns.strings("roles", OLD_STRINGS));
        assertEquals(META, JsonColumns.meta("meta", OLD_META));
        assertEquals(List.copyOf(META.keySet()), List.copyOf(JsonColumns.meta("meta", OLD_META).keySet()), "in stored order");
        assertEquals(LIMITS, JsonColumns.rateLimits("ratelimits", OLD_LIMITS));
        assertEquals(changes(), JsonColumns.changes("changes", OLD_CHANGES));
        assertEquals(List.of(), JsonColumns.strings("roles", "[]"));
    }

    @Test
    void metaOfAnyJsonValuesRoundTripsAndAStringMapIsTheOldText() {
        String text = "{\"a\":1.50,\"b\":[true,false,null,-2E+3],\"c\":{\"d\":\"\\u2028\\n\"},\"e\":{}}";
        Map<String, JsonValue> meta = JsonColumns.meta("meta", text);
        assertEquals(text, JsonColumns.meta(meta));
        assertEquals(JsonValue.Num.class, meta.get("a").getClass());
        assertEquals(new JsonValue.Num(new java.math.BigDecimal("1.5")), meta.get("a"), "numbers compare by value");
        for (String bad : List.of("[]", "\"x\"", "{\"a\":1} x", "{\"a\":1,\"a\":2}", "[[[[[[[[[1]]]]]]]]]")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> JsonColumns.meta("meta", bad));
            assertTrue(e.getMessage().startsWith("malformed JSON in key store column meta"), e.getMessage());
        }
    }

    @Test
    void readsAnyValidSpellingOfTheSameJson() {
        assertEquals(List.of("a", "\u00e9\u2028/"), JsonColumns.strings("roles", " [ \"a\" ,\n\"\\u00E9\\u2028\\/\" ] "));
        assertEquals(List.of(new RateLimit("burst", 10, Duration.ofSeconds(1), 20)),
                JsonColumns.rateLimits("ratelimits", "[{\"burst\": 20, \"duration\": \"PT1S\", \"limit\": 10, \"name\": \"burst\", \"extra\": true}]"));
    }

    @Test
    void malformedTextNamesTheColumnButNotTheText() {
        List<Runnable> reads = List.of(
                () -> JsonColumns.strings("roles", "[\"secretish"),
                () -> JsonColumns.strings("roles", "{\"secretish\":1}"),
                () -> JsonColumns.strings("roles", ""),
                () -> JsonColumns.meta("meta", "[\"secretish\"]"),
                () -> JsonColumns.changes("changes", "{\"name\":\"secretish\"}"),
                () -> JsonColumns.rateLimits("ratelimits", "{\"name\":\"secretish\"}"),
                () -> JsonColumns.rateLimits("ratelimits", "[{\"name\":\"secretish\",\"limit\":\"x\",\"duration\":\"PT1S\",\"burst\":1}]"),
                () -> JsonColumns.rateLimits("ratelimits", "[{\"name\":\"burst\",\"limit\":1,\"duration\":\"secretish\",\"burst\":1}]"));
        for (Runnable read : reads) {
            IllegalStateException e = assertThrows(IllegalStateException.class, read::run);
            assertTrue(e.getMessage().startsWith("malformed JSON in key store column "), e.getMessage());
            assertFalse(e.getMessage().contains("secretish"), e.getMessage());
            assertNull(e.getCause());
        }
    }
}
