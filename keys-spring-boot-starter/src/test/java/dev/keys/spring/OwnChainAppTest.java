package dev.keys.spring;

import dev.keys.core.Keys;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.util.Set;

import static dev.keys.spring.Http.problem;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** An application with a SecurityFilterChain of its own, which adds keys in one line and decides by authority. */
@SpringBootTest(classes = OwnChainAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.shutdown=immediate",
        "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "keys.admin.path=off"})
class OwnChainAppTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Api.class)
    static class App {
        @Bean
        SecurityFilterChain chain(HttpSecurity http) throws Exception {   // Spring Security 6 declares it
            http.with(KeysSecurity.keys(), Customizer.withDefaults());
            http.authorizeHttpRequests(r -> r.requestMatchers("/api/reports/**").hasAuthority("reports:read")
                    .requestMatchers("/public/**").permitAll()
                    .anyRequest().authenticated());
            return http.build();
        }
    }

    /** Served alike by Spring MVC and WebFlux (ReactiveOwnChainAppTest). */
    @RestController
    static class Api {
        @GetMapping("/api/reports/today")
        String report(Principal p) {
            return "report for " + p.getName();
        }

        @PostMapping("/api/reports")
        String write(Principal p) {
            return "written by " + p.getName();
        }

        @GetMapping("/public/ping")
        String ping() {
            return "pong";
        }
    }

    @BeforeAll
    static void withSpringSecurity() {
        assumeTrue(ClassUtils.isPresent("org.springframework.security.web.SecurityFilterChain", null), "Spring Security is not on the class path");
    }

    @LocalServerPort
    int port;
    @Autowired
    Keys keys;

    static String key(Keys keys, String... permissions) {
        return keys.manager().create(NewKey.builder("acme_live").permissions(Set.of(permissions)).build(), KeyManager.SYSTEM).plaintext();
    }

    @Test
    void theChainsRulesDecideByTheKeysPermissions() {
        assertTheChainDecidesByTheKeysPermissions(new Http(port), keys);
    }

    /** What an application's own chain with {@code hasAuthority('reports:read')} on /api/reports/** answers ({@link Api}). */
    static void assertTheChainDecidesByTheKeysPermissions(Http http, Keys keys) {
        String reader = key(keys, "reports:read");
        Http.Answer ok = http.get("/api/reports/today", "X-API-Key", reader);
        assertEquals(200, ok.status(), ok.body());
        assertTrue(ok.body().startsWith("report for key_"), ok.body());
        Http.Answer posted = http.post("/api/reports", "{}", "X-API-Key", reader);
        assertEquals(200, posted.status(), "no CSRF token for a key: " + posted.body());

        problem(http.get("/api/reports/today", "X-API-Key", key(keys, "billing:read")), 403, "INSUFFICIENT_PERMISSIONS");
        problem(http.get("/api/reports/today"), 401, "MISSING");
        assertEquals("pong", http.get("/public/ping").body());
    }

    @Test
    void theAdminApiIsOffWhenTheAdminPathIsOff() {
        Http.Answer a = new Http(port).get("/admin/v1/keys", "X-API-Key", key(keys, "keys:admin"));
        assertNotEquals(200, a.status());
        assertFalse(a.body().contains("\"items\""), a.body());
    }
}
