package dev.keys.core.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {

    private static final RouteTable TABLE = RouteTable.parse("""
            # documents
            GET /documents/**                -> documents:read
            POST /documents                  -> documents:write AND (billing:read OR admin:*)
            GET,DELETE /documents/{id}/lock  -> documents:lock
            PUT /files/*/content             -> files:write
            GET /health                      -> NONE
            * /admin/**                      -> keys:admin [ip 10.0.0.0/8] [env live]
            """);

    @ParameterizedTest(name = "[{index}] {0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | /documents                | documents:read
            GET    | /documents/1/lock         | documents:read
            HEAD   | /documents/1              | documents:read
            POST   | /documents                | documents:write AND (billing:read OR admin:*)
            GET    | /documents/               | documents:read
            DELETE | /documents/7/lock         | documents:lock
            PUT    | /files/a/content          | files:write
            GET    | /health                   | NONE
            PATCH  | /admin                    | keys:admin [ip 10.0.0.0/8] [env live]
            GET    | /admin/keys/1             | keys:admin [ip 10.0.0.0/8] [env live]
            """)
    void firstMatchWins(String method, String path, String requirement) {
        RouteMatch m = TABLE.match(method, path);
        assertEquals(requirement, ((RouteMatch.Matched) m).requirement().toString());
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            POST   | /documents/1
            DELETE | /documents/7
            PUT    | /files/content
            PUT    | /files/a/b/content
            PUT    | /files/a/content/x
            GET    | /healthz
            GET    | /
            POST   | /documents/
            GET    | /health/
            PUT    | /files/a/content/
            PUT    | /files//content
            get    | /documents
            OPTIONS| /documents
            """)
    void unmatchedIsDeniedByDefault(String method, String path) {
        assertSame(RouteMatch.NoMatch.DENIED, TABLE.match(method, path));
    }

    @Test
    void unmatchedCanBeAllowed() {
        RouteTable t = RouteTable.builder().route("GET /a -> a:b").allowUnmatched(true).build();
        assertSame(RouteMatch.NoMatch.ALLOWED, t.match("GET", "/b"));
        assertInstanceOf(RouteMatch.BadPath.class, t.match("GET", "/../b"));
    }

    @Test
    void matchedResultsArePreallocated() {
        assertSame(TABLE.match("GET", "/documents/1"), TABLE.match("GET", "/documents/2"));
    }

    @Test
    void rootAndRestPatterns() {
        RouteTable t = RouteTable.parse("""
                GET / -> a:root
                GET /x/** -> a:x
                GET /** -> a:all
                """);
        assertEquals("a:root", ((RouteMatch.Matched) t.match("GET", "/")).requirement().toString());
        assertEquals("a:root", ((RouteMatch.Matched) t.match("GET", "//")).requirement().toString());
        assertEquals("a:x", ((RouteMatch.Matched) t.match("GET", "/x")).requirement().toString());
        assertEquals("a:all", ((RouteMatch.Matched) t.match("GET", "/xy")).requirement().toString());
        assertEquals("a:all", ((RouteMatch.Matched) t.match("GET", "/y/x")).requirement().toString());
    }

    /** A trailing slash is part of the path: "*" and "{id}" need a non-empty segment, "**" takes any rest. */
    @Test
    void trailingSlashes() {
        RouteTable t = RouteTable.parse("""
                GET /a -> a:exact
                GET /a/ -> a:slash
                GET /b/* -> b:one
                GET /c/{id}/ -> c:slash
                GET /d/** -> d:rest
                """);
        assertEquals("a:exact", ((RouteMatch.Matched) t.match("GET", "/a")).requirement().toString());
        assertEquals("a:slash", ((RouteMatch.Matched) t.match("GET", "/a/")).requirement().toString());
        // Jetty reads "/a/." as "/a/", Tomcat as "/a": under different routes, neither decides
        assertInstanceOf(RouteMatch.BadPath.class, t.match("GET", "/a/."));
        assertInstanceOf(RouteMatch.BadPath.class, t.match("GET", "/a/b/%2e%2e;x"));
        assertEquals("b:one", ((RouteMatch.Matched) t.match("GET", "/b/x")).requirement().toString());
        assertSame(RouteMatch.NoMatch.DENIED, t.match("GET", "/b/"));
        assertSame(RouteMatch.NoMatch.DENIED, t.match("GET", "/b/x/"));
        assertEquals("c:slash", ((RouteMatch.Matched) t.match("GET", "/c/7/")).requirement().toString());
        assertSame(RouteMatch.NoMatch.DENIED, t.match("GET", "/c/7"));
        assertSame(RouteMatch.NoMatch.DENIED, t.match("GET", "/c//"));
        for (String p : List.of("/d", "/d/", "/d/x", "/d/x/", "/d/x/.."))
            assertEquals("d:rest", ((RouteMatch.Matched) t.match("GET", p)).requirement().toString(), p);
        assertEquals("GET /a/ -> a:slash", t.routes().get(1).toString());
    }

    @Test
    void caseFoldingAgreesWithEqualsIgnoreCase() {
        RouteTable t = RouteTable.builder().lines("* /admin/** -> keys:admin\n* /** -> NONE").caseInsensitive(true).build();
        for (String p : List.of("/ADMIN", "/Admin/x", "/adm%C4%B1n", "/ADM%C4%B0N", "/%41dmin")) {
            assertEquals("/admin/**", ((RouteMatch.Matched) t.match("GET", p)).route().pattern(), p);
        }
        RouteTable k = RouteTable.builder().lines("* /kelvin/** -> a:b\n* /** -> NONE").caseInsensitive(true).build();
        assertEquals("/kelvin/**", ((RouteMatch.Matched) k.match("GET", "/%E2%84%AAelvin")).route().pattern());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            GET /a                          | line 1: expected 'METHOD pattern -> query [condition]...', found no '->'
            /a -> a:b                       | line 1: expected METHOD and path pattern before '->', found "/a"
            get /a -> a:b                   | line 1: method "get" must be upper case (HTTP methods are case-sensitive)
            *,GET /a -> a:b                 | line 1: method '*' cannot be combined with others
            GET /a/../b -> a:b              | line 1: pattern "/a/../b" is not in normalised form; write "/b"
            GET /a// -> a:b                 | line 1: pattern "/a//" is not in normalised form; write "/a/"
            GET /a/. -> a:b                 | line 1: pattern "/a/." is not in normalised form; write "/a/"
            GET /a/**/ -> a:b               | line 1: pattern "/a/**/": '**' must be the last segment
            GET /a/**/b -> a:b              | line 1: pattern "/a/**/b": '**' must be the last segment
            GET /a/*.pdf -> a:b             | line 1: pattern "/a/*.pdf": '*', '**' and '{name}' must be whole segments
            GET /a/{} -> a:b                | line 1: pattern "/a/{}": '*', '**' and '{name}' must be whole segments
            GET a -> a:b                    | line 1: invalid pattern "a": path must start with '/'
            GET /a -> a:b AND               | line 1, in query "a:b AND": expected permission or '(' at position 7, found end of query
            GET /a -> a:b [env prod]        | line 1: condition at position 4: env: "prod": environment must be live or test
            """)
    void badLinesAreNamed(String line, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RouteTable.parse(line));
        assertEquals(message, e.getMessage());
    }

    @Test
    void lineNumbersCountCommentsAndBlanks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RouteTable.parse("# c\n\nGET /a -> a:b\nGET /b -> (x:y"));
        assertTrue(e.getMessage().startsWith("line 4, "), e.getMessage());
        assertEquals(4, ((QuerySyntaxException) e).position());
    }

    @Test
    void routesPrintAsLines() {
        assertEquals("GET,DELETE /documents/{id}/lock -> documents:lock", TABLE.routes().get(2).toString());
        assertEquals(TABLE.toString(), RouteTable.parse(TABLE.toString()).toString());
    }

    @Test
    void aRouteMayCostMoreThanOneToken() {
        RouteTable t = RouteTable.parse("""
                GET /search -> search:read cost=5
                GET /reports/** -> reports:read [env live] cost=12
                POST /batch -> NONE cost=999999999999999999
                GET /** -> NONE
                """);
        assertEquals(List.of(5L, 12L, 999_999_999_999_999_999L, 1L), t.routes().stream().map(Route::cost).toList());
        assertEquals("search:read", t.routes().get(0).requirement().toString());
        assertEquals("reports:read [env live]", t.routes().get(1).requirement().toString());
        assertEquals("GET /search -> search:read cost=5", t.routes().get(0).toString());
        assertEquals("GET /** -> NONE", t.routes().get(3).toString());
        assertEquals(t.toString(), RouteTable.parse(t.toString()).toString());
        assertEquals(5, ((RouteMatch.Matched) t.match("GET", "/search")).route().cost());
        assertEquals(7, RouteTable.builder().route("GET", "/x", Requirement.NONE, 7).build().routes().get(0).cost());
        assertThrows(IllegalArgumentException.class, () -> RouteTable.builder().route("GET", "/x", Requirement.NONE, 0));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            GET /s -> s:r cost=0                 | line 1, cost must be a whole number from 1 to 999999999999999999, found "0" at position 14
            GET /s -> s:r cost=-2                | line 1, cost must be a whole number from 1 to 999999999999999999, found "-2" at position 14
            GET /s -> s:r cost=five              | line 1, cost must be a whole number from 1 to 999999999999999999, found "five" at position 14
            GET /s -> s:r cost=                  | line 1, cost must be a whole number from 1 to 999999999999999999, found "" at position 14
            GET /s -> s:r cost=1.5               | line 1, cost must be a whole number from 1 to 999999999999999999, found "1.5" at position 14
            GET /s -> s:r cost=9999999999999999999 | line 1, cost must be a whole number from 1 to 999999999999999999, found "9999999999999999999" at position 14
            GET /s -> s:r cost=2 cost=3          | line 1, cost is given twice at position 21
            """)
    void aBadCostIsNamed(String line, String message) {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> RouteTable.parse(line));
        assertEquals(message, e.getMessage());
    }
}
