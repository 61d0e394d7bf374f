package dev.keys.spring;

import dev.keys.core.Keys;
import dev.keys.core.ops.VerificationListener;
import dev.keys.core.verify.CredentialVerifier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.MatcherSecurityWebFilterChain;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.WebFilter;
import reactor.core.scheduler.Schedulers;

import java.util.List;

/**
 * Reactive applications (Spring WebFlux, Spring Cloud Gateway): {@link KeysWebFilter} on
 * {@code keys.filter.url-patterns}, and with Spring Security a verified key as the reactive context's
 * {@link KeyAuthentication}. An application without a {@code SecurityWebFilterChain} of its own gets the starter's:
 * the filter's paths authenticated by key, CORS preflights let through, everything else as Spring Boot's default
 * chain has it (authenticated, HTTP Basic, form login). The admin API is a servlet and is not served here.
 */
@AutoConfiguration(after = KeysAutoConfiguration.class, beforeName = {
        "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
        // Spring Boot 3.5's names of the same
        "org.springframework.boot.autoconfigure.security.reactive.ReactiveSecurityAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.security.reactive.ReactiveManagementWebSecurityAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(WebFilter.class)
class KeysReactiveAutoConfiguration {
    private static final String SERVLET_API = "jakarta.servlet.Filter";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = SERVLET_API)
    static class WebFilterConfiguration {
        @Bean
        KeysWebFilter keysWebFilter(KeysProperties p, Keys keys, ObjectProvider<CredentialVerifier> bearer,
                                    ObjectProvider<VerificationListener> listeners, ObjectProvider<HandlerMapping> mappings,
                                    ObjectProvider<KeysWebFilter.Admitted> admitted) {
            KeysFilters filters = KeysFilters.of(p, keys, bearer.orderedStream(), listeners.orderedStream());
            return new KeysWebFilter(filters, p.getFilter().isHideCredentials(), () -> mappings.orderedStream().toList(),
                    Schedulers.boundedElastic(), p.getFilter().getOrder(), admitted.getIfAvailable(() -> KeysWebFilter.Admitted.NONE));
        }
    }

    /** Spring Security on the class path: the key becomes the Authentication, also for a chain that does not name keys. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {SERVLET_API, "org.springframework.security.config.web.server.ServerHttpSecurity"})
    static class SecurityConfiguration {
        @Bean
        KeysWebFilter.Admitted keysReactiveSecurityContexts(Authorities authorities) {
            return new ReactiveSecurityContexts(authorities);
        }

        @Bean
        KeysWebFluxSecurity keysWebFluxSecurity(KeysWebFilter filter) {
            return new KeysWebFluxSecurity(filter);
        }

        /**
         * Without a chain of the application's own. Without {@code @EnableWebFluxSecurity} (Spring Boot's reactive
         * security excluded) there is no {@code ServerHttpSecurity}, and nothing would run a chain: this one then
         * matches nothing, and the plain filter guards the paths as without Spring Security.
         */
        @Bean
        @ConditionalOnMissingBean(SecurityWebFilterChain.class)
        SecurityWebFilterChain keysSecurityWebFilterChain(ObjectProvider<ServerHttpSecurity> https, KeysWebFluxSecurity keys) {
            ServerHttpSecurity http = https.getIfAvailable();
            if (http == null) return new MatcherSecurityWebFilterChain(exchange -> ServerWebExchangeMatcher.MatchResult.notMatch(), List.of());
            keys.applyTo(http);
            ServerWebExchangeMatcher preflight = exchange -> CorsUtils.isPreFlightRequest(exchange.getRequest())
                    ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch();
            http.authorizeExchange(a -> a.matchers(preflight).permitAll().anyExchange().authenticated());
            http.httpBasic(Customizer.withDefaults());
            http.formLogin(Customizer.withDefaults());
            return http.build();
        }
    }

    /** Fails the start rather than leave the API open when the filter cannot run. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(SERVLET_API)
    static class MissingServletApi {
        MissingServletApi() {
            throw new IllegalStateException("keys on WebFlux runs the servlet filter's rules and needs the Jakarta Servlet API"
                    + " on the class path: add jakarta.servlet:jakarta.servlet-api (6.0 or 6.1)");
        }
    }
}
