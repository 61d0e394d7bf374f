package dev.keys.spring;

import dev.keys.api.Verification;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import reactor.core.publisher.Mono;

/**
 * Puts an admitted exchange's {@link KeyAuthentication} into Spring Security's reactive context for the rest of the
 * chain, where {@code AuthorizationWebFilter}, {@code @PreAuthorize} and {@code ReactiveSecurityContextHolder} read
 * it. Inside a {@code SecurityWebFilterChain} the filter must run after Spring Security's
 * {@code ReactorContextWebFilter}, which would replace this context with the (empty) one of its repository: hence
 * {@link KeysWebFluxSecurity} adds it at {@code AUTHENTICATION}, where Spring Security's own authentication runs.
 */
final class ReactiveSecurityContexts implements KeysWebFilter.Admitted {
    private final Authorities authorities;

    ReactiveSecurityContexts(Authorities authorities) {
        this.authorities = authorities;
    }

    @Override
    public Mono<Void> admitted(Verification.Valid valid, Mono<Void> next) {
        return next.contextWrite(ReactiveSecurityContextHolder.withAuthentication(new KeyAuthentication(valid, authorities.of(valid.key()))));
    }
}
