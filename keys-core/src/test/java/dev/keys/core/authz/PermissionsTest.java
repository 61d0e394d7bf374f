package dev.keys.core.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PermissionsTest {

    @ParameterizedTest(name = "{0} grants {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            documents:read       | documents:read       | true
            documents:read       | documents:read:42    | true
            documents:read       | documents:write      | false
            documents:read:42    | documents:read:42    | true
            documents:read:42    | documents:read:43    | false
            documents:read:42    | documents:read       | false
            documents:read:42    | documents:read:*     | false
            documents:read:*     | documents:read       | true
            documents:read:*     | documents:read:7     | true
            documents:*          | documents:read       | true
            documents:*          | documents:delete:9   | true
            documents:*          | documents:*          | true
            documents:*          | billing:read         | false
            *:read               | documents:read       | true
            *:read               | billing:read:3       | true
            *:read               | documents:write      | false
            *:read               | *:read               | true
            *:*                  | anything:at:all      | true
            *:*:*                | a:b                  | true
            *:*:7                | a:b:7                | true
            *:*:7                | a:b:8                | false
            *:*:7                | a:b                  | false
            documents:read       | documents:*          | false
            documents:read       | *:read               | false
            documents:*:42       | documents:read:42    | true
            documents:*:42       | documents:read       | false
            Documents:read       | documents:read       | false
            documents:read       | documents:READ       | false
            documents:read       | documents:reader     | false
            documents:read       | documents.x:read     | false
            """)
    void wildcardImplication(String granted, String required, boolean expected) {
        assertEquals(expected, Permissions.compile(List.of(granted)).implies(required));
    }

    @Test
    void severalGrantsOfSeveralShapes() {
        Permissions p = Permissions.compile(List.of("a:read", "b:*", "*:list", "c:write:9", "d:read:*"));
        assertTrue(p.implies("a:read:1"));
        assertTrue(p.implies("b:delete"));
        assertTrue(p.implies("z:list:4"));
        assertTrue(p.implies("c:write:9"));
        assertTrue(p.implies("d:read"));
        assertFalse(p.implies("c:write"));
        assertFalse(p.implies("a:write"));
        assertEquals(Set.of("a:read", "b:*", "*:list", "c:write:9", "d:read:*"), p.granted());
    }

    @Test
    void emptySetGrantsNothing() {
        assertFalse(Permissions.compile(List.of()).implies("a:b"));
        assertFalse(Permissions.NONE.implies("*:*"));
    }

    @Test
    void manyPermissionsAllFound() {
        String[] perms = new String[500];
        for (int i = 0; i < perms.length; i++) perms[i] = "res" + i + ":act" + (i % 7) + (i % 3 == 0 ? ":" + i : "");
        Permissions p = Permissions.compile(Arrays.asList(perms));
        for (String s : perms) assertTrue(p.implies(s), s);
        assertFalse(p.implies("res1:act0"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                 | it is empty
            documents          | only one segment
            documents:         | segment 2 is empty
            :read              | segment 1 is empty
            a::b               | segment 2 is empty
            a:b:c:d            | more than 3 segments
            docs:re*d          | '*' must be a whole segment
            docs:**            | '*' must be a whole segment
            'docs:read all'    | character ' ' at index 9 is not allowed
            docs:read/1        | character '/' at index 9 is not allowed
            docs:(read)        | character '(' at index 5 is not allowed
            """)
    void invalidSyntaxIsRejectedWithAClearMessage(String permission, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Permissions.validate(permission));
        assertTrue(e.getMessage().startsWith("invalid permission \"" + permission + "\": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Permissions.compile(List.of("ok:ok", permission)));
    }

    @Test
    void controlCharactersAreShownEscaped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Permissions.validate("a:b\u0000"));
        assertTrue(e.getMessage().contains("'\\u0000'"), e.getMessage());
    }

    @Test
    void rolesFlattenAndReportUnknownNames() {
        Roles roles = Roles.builder()
                .role("reader", Set.of("documents:read"))
                .role("writer", Set.of("documents:read", "documents:write"))
                .build();
        Permissions p = roles.flatten(Set.of("reader", "ghost"), Set.of("billing:read"));
        assertTrue(p.implies("documents:read:1"));
        assertTrue(p.implies("billing:read"));
        assertFalse(p.implies("documents:write"));
        assertEquals(Set.of("ghost"), roles.unknown(Set.of("reader", "ghost")));
        assertEquals(Set.of("billing:read", "documents:read"), p.granted());
        assertTrue(Roles.EMPTY.flatten(Set.of("x"), Set.of()).isEmpty());
    }

    @Test
    void rolesRejectBadDefinitions() {
        assertThrows(IllegalArgumentException.class, () -> Roles.builder().role("a b", Set.of()));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Roles.builder().role("r", Set.of()).role("r", Set.of()));
        assertTrue(twice.getMessage().contains("defined twice"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Roles.builder().role("r", Set.of("nope")));
        assertTrue(bad.getMessage().startsWith("role \"r\": invalid permission \"nope\""), bad.getMessage());
    }
}
