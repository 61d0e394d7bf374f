package dev.keys.spring;

import dev.keys.core.Keys;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.cors.CorsUtils;

/**
 * Spring Security, when it is on the class path: a verified key becomes a {@link KeyAuthentication}, and an
 * application without a {@code SecurityFilterChain} of its own gets the starter's (as Spring Boot's resource-server
 * support does for JWTs): the filter's URL patterns and the admin path authenticated by key, CORS preflights let
 * through, and every other path as Spring Boot's default chain has it (authenticated, form login, HTTP Basic).
 * It must come before Spring Boot's own defaults, which give way to any {@code SecurityFilterChain}.
 */
@AutoConfiguration(after = KeysServletAutoConfiguration.class, beforeName = {
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({SecurityFilterChain.class, HttpSecurity.class})
class KeysSecurityAutoConfiguration {
    @Bean
    Authorities keysAuthorities(Keys keys) {
        return new Authorities(keys.roleCatalog());
    }

    /** For the servlet filter outside the chain, so that an application's own chain that lets /api/** through still gets an Authentication. */
    @Bean
    KeysServletFilter.Admitted keysSecurityContexts(Authorities authorities, ObjectProvider<SecurityContextHolderStrategy> strategy) {
        return new SecurityContexts(strategy.getIfAvailable(SecurityContextHolder::getContextHolderStrategy), authorities);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(SecurityFilterChain.class)
    static class DefaultChain {
        @Bean
        SecurityFilterChain keysSecurityFilterChain(HttpSecurity http, CorsHeaders cors) {
            http.with(KeysSecurity.keys(), Customizer.withDefaults());
            http.authorizeHttpRequests(r -> r.requestMatchers(CorsUtils::isPreFlightRequest).permitAll().anyRequest().authenticated());
            http.formLogin(Customizer.withDefaults());
            http.httpBasic(Customizer.withDefaults());
            // The application's CORS configuration, found as the filter finds it for its denials.
            if (!cors.isEmpty()) http.cors(c -> c.configurationSource(cors));
            return http.build();
        }
    }
}
