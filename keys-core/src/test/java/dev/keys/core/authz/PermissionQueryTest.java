package dev.keys.core.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PermissionQueryTest {

    private static Permissions grant(String csv) {
        return csv == null || csv.isBlank() ? Permissions.NONE : Permissions.compile(Arrays.asList(csv.split(" ")));
    }

    @ParameterizedTest(name = "{0} with [{1}] = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            a:read                                   | a:read                 | true
            a:read                                   | b:read                 | false
            a:read AND b:write                       | a:read b:write         | true
            a:read AND b:write                       | a:read                 | false
            a:read OR b:write                        | b:write                | true
            a:read OR b:write                        |                        | false
            a:read AND (b:write OR c:*)              | a:read c:*             | true
            a:read AND (b:write OR c:*)              | a:read c:read          | false
            a:read AND (b:write OR c:*)              | c:*                    | false
            a:read AND b:write OR c:x                | c:x                    | true
            a:read AND b:write OR c:x                | a:read                 | false
            a:read OR b:write AND c:x                | a:read                 | true
            a:read OR b:write AND c:x                | b:write                | false
            (a:read OR b:write) AND c:x              | b:write c:x            | true
            ((a:read))                               | a:*                    | true
            documents:read AND (billing:read OR admin:*) | documents:* admin:*  | true
            """)
    void evaluates(String query, String granted, boolean expected) {
        assertEquals(expected, PermissionQuery.parse(query).test(grant(granted)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            a:b                               | a:b
            '  a:b  '                         | a:b
            a:b AND c:d AND e:f               | a:b AND c:d AND e:f
            a:b AND (c:d AND e:f)             | a:b AND c:d AND e:f
            (a:b OR c:d) OR e:f               | a:b OR c:d OR e:f
            a:b AND (c:d OR e:f)              | a:b AND (c:d OR e:f)
            (a:b AND c:d) OR e:f              | a:b AND c:d OR e:f
            a:b AND(c:d OR e:f)               | a:b AND (c:d OR e:f)
            NONE                              | NONE
            """)
    void canonicalForm(String query, String canonical) {
        PermissionQuery q = PermissionQuery.parse(query);
        assertEquals(canonical, q.toString());
        assertEquals(q, PermissionQuery.parse(q.toString()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                               | 0  | expected permission or '(' at position 0, found end of query
            'a:read AND'                     | 10 | expected permission or '(' at position 10, found end of query
            'a:read AND (b:write OR c:* ) )' | 29 | expected AND, OR or end of query at position 29, found ')'
            'a:read AND (b:write OR'         | 22 | expected permission or '(' at position 22, found end of query
            'a:read AND (b:write'            | 19 | expected AND, OR or ')' (to close '(' at position 11) at position 19, found end of query
            'a:read b:write'                 | 7  | expected AND, OR, ')' or end of query at position 7, found 'b:write'
            'a:read and b:write'             | 7  | expected AND, OR, ')' or end of query at position 7, found 'and' (operators are upper case: AND, OR)
            'OR a:read'                      | 0  | expected permission or '(' at position 0, found 'OR'
            'a:read AND AND b:c'             | 11 | expected permission or '(' at position 11, found 'AND'
            '()'                             | 1  | expected permission or '(' at position 1, found ')'
            'a:read AND docs'                | 11 | invalid permission "docs": only one segment; expected resource:action[:instance] at position 11
            'a:b AND x:re*d'                 | 8  | invalid permission "x:re*d": '*' must be a whole segment at position 8
            """)
    void syntaxErrorsNamePositionAndExpectedToken(String query, int position, String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> PermissionQuery.parse(query));
        assertEquals(message, e.getMessage());
        assertEquals(position, e.position());
        assertTrue(e instanceof IllegalArgumentException);
    }

    @Test
    void deepNestingIsRefused() {
        String q = "(".repeat(40) + "a:b" + ")".repeat(40);
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> PermissionQuery.parse(q));
        assertTrue(e.getMessage().startsWith("parentheses nested deeper than 32"), e.getMessage());
        assertTrue(PermissionQuery.parse("(".repeat(30) + "a:b" + ")".repeat(30)).test(grant("a:b")));
    }

    @Test
    void noneAlwaysHolds() {
        assertTrue(PermissionQuery.NONE.test(Permissions.NONE));
        assertSame(PermissionQuery.NONE, PermissionQuery.parse("NONE"));
        assertEquals("", PermissionQuery.NONE.explain(Permissions.NONE));
    }

    @Test
    void explainNamesTheMissingTerm() {
        PermissionQuery q = PermissionQuery.parse("documents:write AND (billing:read OR admin:*)");
        assertEquals("missing permission documents:write", q.explain(grant("billing:read")));
        assertEquals("missing one of: billing:read, admin:*", q.explain(grant("documents:write")));
        assertEquals("", q.explain(grant("documents:* admin:*")));
        assertEquals("missing one of: a:b AND c:d, e:f", PermissionQuery.parse("a:b AND c:d OR e:f").explain(grant("a:b")));
    }

    @Test
    void permissionsListsTheTerms() {
        assertEquals(List.of("a:b", "c:d", "e:f"), List.copyOf(PermissionQuery.parse("a:b AND (c:d OR e:f)").permissions()));
    }

    @Test
    void wildcardRequirementNeedsWildcardGrant() {
        PermissionQuery q = PermissionQuery.parse("admin:*");
        assertTrue(q.test(grant("admin:*")));
        assertTrue(q.test(grant("*:*")));
        assertFalse(q.test(grant("admin:read admin:write")));
    }
}
