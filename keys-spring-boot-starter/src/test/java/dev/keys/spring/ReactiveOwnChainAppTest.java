package dev.keys.spring;

import dev.keys.core.Keys;
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
    @Import(OwnChainAppTest.Api.class)
    static class App {
        @Bean
        SecurityWebFilterChain chain(ServerHttpSecurity http, KeysWebFluxSecurity keys) {
            keys.applyTo(http);
            return http.authorizeExchange(a -> a.pathMatchers("/api/reports/**").hasAuthority("reports:read")
                    .pathMatchers("/public/**").permitAll()
                    .anyExchange().authenticated()).build();
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

    @Test
    void theChainsRulesDecideByTheKeysPermissions() {
        OwnChainAppTest.assertTheChainDecidesByTheKeysPermissions(new Http(port), keys);
    }
}
