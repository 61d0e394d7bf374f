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
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.util.Set;

import static dev.keys.spring.Http.problem;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A WebFlux application with a SecurityWebFilterChain of its own, which adds keys in one line and decides by authority. */
@SpringBootTest(classes = ReactiveOwnChainAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.shutdown=immediate",
        "spring.main.web-application-type=reactive",
        "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
class ReactiveOwnChainAppTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Api.class)
    static class App {
        @Bean
        SecurityWebFilterChain chain(ServerHttpSecurity http, KeysWebFluxSecurity keys) {
            keys.applyTo(http);
            return http.authorizeExchange(a -> a.pathMatchers("/api/reports/**").hasAuthority("reports:read")
                    .pathMatchers("/public/**").permitAll()
                    .anyExchange().authenticated()).build();
        }
    }

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
        assumeTrue(ClassUtils.isPresent("org.springframework.security.web.server.SecurityWebFilterChain", null), "Spring Security is not on the class path");
    }

    @LocalServerPort
    int port;
    @Autowired
    Keys keys;

    String key(String... permissions) {
        return keys.manager().create(NewKey.builder("acme_live").permissions(Set.of(permissions)).build(), KeyManager.SYSTEM).plaintext();
    }

    @Test
    void theChainsRulesDecideByTheKeysPermissions() {
        Http http = new Http(port);
        String reader = key("reports:read");
        Http.Answer ok = http.get("/api/reports/today", "X-API-Key", reader);
        assertEquals(200, ok.status(), ok.body());
        assertTrue(ok.body().startsWith("report for key_"), ok.body());
        Http.Answer posted = http.post("/api/reports", "{}", "X-API-Key", reader);
        assertEquals(200, posted.status(), "no CSRF token for a key: " + posted.body());

        problem(http.get("/api/reports/today", "X-API-Key", key("billing:read")), 403, "INSUFFICIENT_PERMISSIONS");
        problem(http.get("/api/reports/today"), 401, "MISSING");
        assertEquals("pong", http.get("/public/ping").body());
    }
}
