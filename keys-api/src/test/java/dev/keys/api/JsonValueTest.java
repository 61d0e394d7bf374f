package dev.keys.api;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonValueTest {
    @Test
    void parsesAndWritesCompactJsonMembersInOrder() {
        String text = "{\"b\":[1,-0.5,2E+3,true,false,null],\"a\":{\"x\":\"\\u2028\\n\\\"\\\\\\u0001\"},\"e\":[],\"o\":{}}";
        JsonValue v = JsonValue.parse(" " + text.replace(",", " ,\n") + "\t");
        assertEquals(text, v.toJson());
        assertEquals(List.of("b", "a", "e", "o"), List.copyOf(((JsonValue.Obj) v).members().keySet()));
        assertEquals(JsonValue.parse("\"\\u00e9\\/\""), JsonValue.of("\u00e9/"));
    }

    @Test
    void numbersAreEqualByValue() {
        assertEquals(new JsonValue.Num(new BigDecimal("1.50")), JsonValue.parse("1.5"));
        assertEquals(new JsonValue.Num(new BigDecimal("100")).hashCode(), JsonValue.parse("1E2").hashCode());
        assertNotEquals(JsonValue.of(1), JsonValue.of("1"));
    }

    @Test
    void depthIsBoundedAndCounted() {
        assertEquals(8, JsonValue.parse("[[[[[[[1]]]]]]]").depth());
        assertThrows(IllegalArgumentException.class, () -> JsonValue.parse("[[[[[[[[1]]]]]]]]"));
        assertEquals(1, JsonValue.of("x").depth());
        assertEquals(2, new JsonValue.Obj(Map.of("a", JsonValue.of(1))).depth());
    }

    @Test
    void invalidTextSaysWhereNeverWhat() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"secret", "tru", "{\"a\":1,\"a\":2}", "[1] x", "\"\\x\"", "nul", "\"\u0001\"")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonValue.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON at position "), e.getMessage());
            assertFalse(e.getMessage().contains("secret"));
        }
    }

    @Test
    void aKeysMetaNestsAtMostEightLevelsWithTheObjectItself() {
        ApiKey.Builder b = ApiKey.builder().id("key_1").prefix("sk_test").start("abcd").digest(new Digest(1, 2, 3, 4))
                .createdAt(java.time.Instant.EPOCH).updatedAt(java.time.Instant.EPOCH);
        assertEquals(8, new JsonValue.Obj(b.meta(Map.of("a", JsonValue.parse("[[[[[[1]]]]]]"))).build().meta()).depth());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.meta(Map.of("a", JsonValue.parse("[[[[[[[1]]]]]]]"))).build());
        assertEquals("meta: must nest at most 8 levels deep", e.getMessage());
    }
}
