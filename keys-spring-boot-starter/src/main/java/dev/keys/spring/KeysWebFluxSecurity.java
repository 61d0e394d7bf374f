package dev.keys.spring;

import dev.keys.api.Outcome;
import dev.keys.api.Verification;
import dev.keys.servlet.ApiKeyFilter;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.authorization.HttpStatusServerAccessDeniedHandler;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.csrf.CsrfWebFilter;
import org.springframework.web.server.WebFilter;

/**
 * Keys in a reactive Spring Security filter chain (WebFlux, Spring Cloud Gateway), in one line; the starter makes
 * this bean:
 * <pre>{@code
 * @Bean
 * SecurityWebFilterChain chain(ServerHttpSecurity http, KeysWebFluxSecurity keys) {
 *     keys.applyTo(http);
 *     return http.authorizeExchange(a -> a.pathMatchers("/api/reports/**").hasAuthority("reports:read")
 *             .anyExchange().authenticated()).build();
 * }
 * }</pre>
 * On {@code keys.filter.url-patterns} the exchange is authenticated by key as without Spring Security (a missing
 * or bad key answers keys' problem+json, never Spring's defaults), and a verified key becomes a
 * {@link KeyAuthentication} in the {@code ReactiveSecurityContextHolder}, so {@code hasAuthority} and
 * {@code @PreAuthorize} decide by the key's permissions; the store is read off the event loop. Those paths need no
 * CSRF token: every request there must carry a key, which no other site can make a browser send. An exchange that
 * a key authenticated and the chain's rules refuse is answered 403 {@code INSUFFICIENT_PERMISSIONS} in keys' form;
 * any other refusal as Spring Security's default (403). Call it before configuring an access-denied handler of
 * your own, which then replaces keys' one.
 */
public final class KeysWebFluxSecurity {
    private static final Verification.Denied REFUSED = new Verification.Denied(Outcome.INSUFFICIENT_PERMISSIONS,
            "the key's permissions do not allow this request");

    private final KeysWebFilter filter;
    private final ServerAccessDeniedHandler fallback = new HttpStatusServerAccessDeniedHandler(HttpStatus.FORBIDDEN);

    KeysWebFluxSecurity(KeysWebFilter filter) {
        this.filter = filter;
    }

    /** Adds keys to {@code http}; returns it. */
    public ServerHttpSecurity applyTo(ServerHttpSecurity http) {
        WebFilter csrfExempt = (exchange, chain) -> {
            if (filter.guards(exchange.getRequest())) CsrfWebFilter.skipExchange(exchange);
            return chain.filter(exchange);
        };
        http.addFilterBefore(csrfExempt, SecurityWebFiltersOrder.CSRF);
        http.addFilterAt(filter, SecurityWebFiltersOrder.AUTHENTICATION);
        http.exceptionHandling(e -> e.accessDeniedHandler((exchange, denied) ->
                exchange.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) instanceof Verification.Valid
                        ? filter.refuse(exchange, REFUSED) : fallback.handle(exchange, denied)));
        return http;
    }
}
