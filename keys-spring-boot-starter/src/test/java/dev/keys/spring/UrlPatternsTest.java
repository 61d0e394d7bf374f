package dev.keys.spring;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class UrlPatternsTest {
    @Test
    void servletPatternRules() {
        UrlPatterns p = new UrlPatterns(List.of("/api/*", "*.json", "/exact"));
        for (String yes : List.of("/api", "/api/", "/api/x", "/api/x/y", "/x/report.json", "/exact")) assertTrue(p.matches(yes), yes);
        for (String no : List.of("/apis", "/ap", "/", "/exact/x", "/x/json", "/json.x")) assertFalse(p.matches(no), no);
        assertTrue(new UrlPatterns(List.of("/")).matches("/anything"));
        assertTrue(new UrlPatterns(List.of("/*")).matches("/"));
    }

    @Test
    void somethingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new UrlPatterns(List.of("api/*")));
        assertThrows(IllegalArgumentException.class, () -> new UrlPatterns(List.of("*.json/x")));
    }
}
