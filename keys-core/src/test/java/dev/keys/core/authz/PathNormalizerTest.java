package dev.keys.core.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every spelling of a path, against a table whose {@code /admin/**} rule is stricter than the catch-all: none may
 * reach a weaker rule than the path it means. "catch-all" rows are paths that are really different (case, a
 * different segment) and so fall to the catch-all rule, never to the public one.
 */
class PathNormalizerTest {

    private static final RouteTable TABLE = RouteTable.parse("""
            * /admin/**        -> keys:admin
            GET /public/**     -> NONE
            * /**              -> documents:read
            """);

    private static final RouteTable FOLDING = RouteTable.builder().lines("""
            * /admin/**        -> keys:admin
            GET /public/**     -> NONE
            * /**              -> documents:read
            """).caseInsensitive(true).build();

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            /admin                          | admin     | /admin
            /admin/                         | admin     | /admin/
            //admin                         | admin     | /admin
            ///admin///x//                  | admin     | /admin/x/
            /./admin                        | admin     | /admin
            /admin/.                        | admin     | /admin/
            /admin/%2e                      | admin     | /admin/
            /x/../admin                     | admin     | /admin
            /public/../admin                | admin     | /admin
            /public/./../admin/x            | admin     | /admin/x
            /public/%2e%2e/admin            | admin     | /admin
            /public/%2E%2E/admin            | admin     | /admin
            /public/.%2e/admin              | admin     | /admin
            /public/..;/admin               | admin     | /admin
            /public/%2e%2e;x=1/admin        | admin     | /admin
            /public;/../admin               | admin     | /admin
            /pub%6cic/../admin              | admin     | /admin
            /%61dmin                        | admin     | /admin
            /adm%69n/x                      | admin     | /admin/x
            /admin;jsessionid=1/x           | admin     | /admin/x
            /;x/admin                       | admin     | /admin
            /admin?x=/public/               | admin     | /admin
            /ADMIN                          | catch-all | /ADMIN
            /%41DMIN                        | catch-all | /ADMIN
            /admin%20                       | catch-all | '/admin '
            /admin.                         | catch-all | /admin.
            /public/.../admin               | public    | /public/.../admin
            /public/x                       | public    | /public/x
            /%2e%2e/admin                   | bad       | null
            /..                             | bad       | null
            /public/../../admin             | bad       | null
            /public/%252e%252e/admin        | bad       | null
            /%252e/admin                    | bad       | null
            /public/%2e%2e%2fadmin          | bad       | null
            /public/..%2Fadmin              | bad       | null
            /admin%2fx                      | bad       | null
            /public/%5c../admin             | bad       | null
            /public\\..\\admin              | bad       | null
            /admin%00                       | bad       | null
            /admin%3bx                      | bad       | null
            /admin#frag                     | bad       | null
            /%C0%AE%C0%AE/admin             | bad       | null
            /%C0%AEadmin                    | bad       | null
            /admin/%ZZ                      | bad       | null
            /admin/%                        | bad       | null
            /admin/x%2                      | bad       | null
            /;%5cAdmin                      | bad       | null
            /;%2fadmin                      | bad       | null
            /public;x=%2f../admin           | bad       | null
            /public;%25/x                   | bad       | null
            /public;x=%zz/x                 | bad       | null
            /public;jsessionid=A%2DB/x      | public    | /public/x
            /admin/%e9                      | bad       | null
            admin                           | bad       | null
            ''                              | bad       | null
            'http://h/admin'                | bad       | null
            '/adm in'                       | bad       | null
            /admín                          | bad       | null
            """)
    void noSpellingSlipsPastItsRule(String raw, String expected, String normalised) {
        NormalizedPath n = PathNormalizer.normalize(raw);
        RouteMatch m = TABLE.match("GET", raw);
        switch (expected) {
            case "bad" -> {
                assertInstanceOf(NormalizedPath.Rejected.class, n);
                assertInstanceOf(RouteMatch.BadPath.class, m);
            }
            case "admin" -> assertEquals("/admin/**", pattern(m));
            case "public" -> assertEquals("/public/**", pattern(m));
            case "catch-all" -> assertEquals("/**", pattern(m));
            default -> throw new AssertionError(expected);
        }
        if (normalised != null) assertEquals(new NormalizedPath.Valid(normalised), n);
        // whatever the spelling, a folding table never routes an admin path to anything but the admin rule
        if (expected.equals("admin") || (normalised != null && normalised.equalsIgnoreCase("/admin"))) {
            assertEquals("/admin/**", pattern(FOLDING.match("GET", raw)));
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            /%2e%2e/admin             | '..' at index 1 escapes the root
            /a/%2Fb                   | encoded '/' (%2F) inside a segment in the segment at index 3 is not allowed
            /%252e                    | encoded '%' (%25): double encoding is not decoded twice in the segment at index 1 is not allowed
            /a%00                     | encoded control character \\u0000 in the segment at index 1 is not allowed
            /a/%G1                    | invalid percent-encoding at index 3
            /%C0%AE                   | percent-encoded bytes at index 1 are not valid UTF-8
            x                         | path must start with '/'
            """)
    void rejectionsSayWhy(String raw, String reason) {
        assertEquals(new NormalizedPath.Rejected(reason), PathNormalizer.normalize(raw));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            /                     | /
            /documents/42         | /documents/42
            /caf%C3%A9            | /café
            /a%20b                | /a b
            /a/b?c/../d           | /a/b
            """)
    void validPaths(String raw, String normalised) {
        assertEquals(new NormalizedPath.Valid(normalised), PathNormalizer.normalize(raw));
    }

    /**
     * A trailing slash is part of the path (docs/contract.md §4): a container may hand {@code /api/hello/} to another
     * servlet than {@code /api/hello}, so the two must not share a rule. A last segment that is empty, {@code .} or
     * {@code ..} leaves a trailing slash, as Jetty resolves it.
     */
    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/hello            | /api/hello
            /api/hello/           | /api/hello/
            /api/hello//          | /api/hello/
            /api//hello/          | /api/hello/
            /api//hello           | /api/hello
            /api/hello/.          | /api/hello/
            /api/hello/./         | /api/hello/
            /api/hello/%2e        | /api/hello/
            /api/hello/%2E;x=1    | /api/hello/
            /api/hello/x/..       | /api/hello/
            /api/hello/x/%2e%2e   | /api/hello/
            /api/hello/x/..;x     | /api/hello/
            /api/hello/x/../      | /api/hello/
            /api/hello;x=1/       | /api/hello/
            /api/hello/;x=1       | /api/hello/
            /api/hello/?a=/       | /api/hello/
            /api/x/../hello       | /api/hello
            /api/./hello          | /api/hello
            /api/hello/..         | /api/
            /api/..               | /
            /.                    | /
            //                    | /
            /%2e/                 | /
            """)
    void aTrailingSlashIsKept(String raw, String normalised) {
        assertEquals(new NormalizedPath.Valid(normalised), PathNormalizer.normalize(raw));
    }

    /**
     * With the routes of the finding (issue 14, item 2), no spelling of /api/hello/ reaches the hello rule. A last dot
     * segment is "bad": Jetty reads /api/hello/. as /api/hello/, Tomcat as /api/hello, and those have different rules.
     */
    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/hello            | /api/hello
            /api/hell%6f          | /api/hello
            /api/hello;x=1        | /api/hello
            /api/x/../hello       | /api/hello
            /api//hello           | /api/hello
            /api/hello/           | /api/**
            /api/hello/.          | bad    
            /api/hello/%2e        | bad    
            /api/hello/x/..       | bad    
            /api/hello/x/%2E%2E   | bad    
            /api//hello/          | /api/**
            /api/hello;x=1/       | /api/**
            /api/hello/;x=1       | /api/**
            /api/hello/.;y        | bad
            /api/hello/x/.;y      | /api/**
            /api/x/.              | /api/**
            """)
    void theExactRuleIsNotTheTrailingSlashRule(String raw, String pattern) {
        RouteTable t = RouteTable.parse("""
                GET /api/hello -> hello:read
                * /api/** -> admin:*
                """);
        for (String method : new String[] {"GET", "HEAD"}) {
            RouteMatch m = t.match(method, raw);
            if (pattern.equals("bad")) assertInstanceOf(RouteMatch.BadPath.class, m, raw);
            else assertEquals(pattern, pattern(m));
        }
    }

    @org.junit.jupiter.api.Test
    void cleanPathsAreReturnedAsTheyAre() {
        String p = "/documents/42/versions";
        assertTrue(((NormalizedPath.Valid) PathNormalizer.normalize(p)).path() == p);
        String slash = "/documents/42/";
        assertTrue(((NormalizedPath.Valid) PathNormalizer.normalize(slash)).path() == slash);
        assertInstanceOf(NormalizedPath.Rejected.class, PathNormalizer.normalize("/" + "a".repeat(9000)));
    }

    private static String pattern(RouteMatch m) {
        if (m instanceof RouteMatch.Matched matched) return matched.route().pattern();
        throw new AssertionError("expected a matched route, got " + m);
    }
}
