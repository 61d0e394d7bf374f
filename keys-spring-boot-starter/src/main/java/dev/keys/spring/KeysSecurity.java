package dev.keys.spring;

import dev.keys.api.Outcome;
import dev.keys.api.Verification;
import dev.keys.servlet.ApiKeyFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.CsrfConfigurer;
import org.springframework.security.config.annotation.web.configurers.ExceptionHandlingConfigurer;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.util.matcher.RequestMatcher;

import java.io.IOException;

/**
 * Keys in a Spring Security filter chain, in one line:
 * <pre>{@code
 * http.with(KeysSecurity.keys(), Customizer.withDefaults());
 * }</pre>
 * On {@code keys.filter.url-patterns} and the admin path, the request is authenticated by key exactly as without
 * Spring Security (a missing or bad key answers keys' problem+json, never Spring's defaults), and a verified key
 * becomes a {@link KeyAuthentication} in the security context. It runs ahead of the CSRF check, and a request it
 * authenticated needs no CSRF token (a key is not a cookie: no other site can make a browser send it). A request
 * that the chain's rules then refuse ({@code hasAuthority}, {@code @PreAuthorize}) is answered 403
 * {@code INSUFFICIENT_PERMISSIONS} in keys' form. Other paths are left to the rest of the chain.
 *
 * <p>Needs the starter's auto-configuration (it reads the filters built from {@code keys.*}). An application that
 * defines no {@code SecurityFilterChain} gets one with this applied.
 */
public final class KeysSecurity extends AbstractHttpConfigurer<KeysSecurity, HttpSecurity> {
    private static final Verification.Denied MISSING = new Verification.Denied(Outcome.MISSING, "no credential was sent");
    private static final Verification.Denied REFUSED = new Verification.Denied(Outcome.INSUFFICIENT_PERMISSIONS,
            "the key's permissions do not allow this request");
    /** Requests that a key authenticated (the filter marked them): exempt from CSRF, refused in keys' form. */
    private static final RequestMatcher KEY_AUTHENTICATED =
            request -> request.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) instanceof Verification.Valid;

    private KeysSecurity() {
    }

    /** The configurer to pass to {@code HttpSecurity.with}. */
    public static KeysSecurity keys() {
        return new KeysSecurity();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(HttpSecurity http) {
        Parts parts = parts(http);
        CsrfConfigurer<HttpSecurity> csrf = http.getConfigurer(CsrfConfigurer.class);
        if (csrf != null) csrf.ignoringRequestMatchers(KEY_AUTHENTICATED);
        ExceptionHandlingConfigurer<HttpSecurity> errors = http.getConfigurer(ExceptionHandlingConfigurer.class);
        if (errors != null) {
            errors.defaultAccessDeniedHandlerFor((request, response, e) -> parts.deny(request, response, REFUSED), KEY_AUTHENTICATED);
            errors.defaultAuthenticationEntryPointFor((request, response, e) -> parts.deny(request, response, MISSING), parts::guards);
        }
    }

    @Override
    public void configure(HttpSecurity http) {
        Parts parts = parts(http);
        SecurityContextHolderStrategy strategy = getSecurityContextHolderStrategy();
        KeysServletFilter filter = new KeysServletFilter(r -> parts.filters.filterFor(KeysServletFilter.pathWithinApplication(r)),
                parts.cors, new SecurityContexts(strategy, parts.authorities));
        http.addFilterBefore(filter, CsrfFilter.class);
    }

    private static Parts parts(HttpSecurity http) {
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        try {
            return new Parts(context.getBean(KeysFilters.class), context.getBean(CorsHeaders.class), context.getBean(Authorities.class));
        } catch (NoSuchBeanDefinitionException e) {
            throw new IllegalStateException("KeysSecurity needs the auto-configuration of keys-spring-boot-starter"
                    + " (a servlet web application with the starter on the class path)", e);
        }
    }

    /** What the configurer works with, from the application context. */
    private record Parts(KeysFilters filters, CorsHeaders cors, Authorities authorities) {
        boolean guards(HttpServletRequest request) {
            return filters.filterFor(KeysServletFilter.pathWithinApplication(request)).isPresent();
        }

        /** Answers as the filter of the request's path would; a key-authenticated request elsewhere as the API's. */
        void deny(HttpServletRequest request, HttpServletResponse response, Verification.Denied denied) throws IOException {
            cors.apply(request, response);
            filters.filterFor(KeysServletFilter.pathWithinApplication(request)).orElse(filters.api()).deny(request, response, denied);
        }
    }
}
