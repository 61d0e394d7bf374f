package dev.keys.spring;

import dev.keys.api.Verification;
import dev.keys.servlet.ApiKeyFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.cors.CorsUtils;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link ApiKeyFilter} as the starter runs it: CORS preflights pass untouched (the application's CORS handling
 * answers them), a denial of a cross-origin request carries the CORS headers the application configured (so that
 * a browser can read the 401 or 429), and an admitted request is handed to {@link Admitted} (Spring Security's
 * context) before the chain goes on. Mapped by the container on {@code keys.filter.url-patterns}, or, inside Spring
 * Security's chain, scoped by path to the application's and the admin API's filter.
 */
final class KeysServletFilter implements Filter {
    /** Told of each admitted request before the application sees it. */
    @FunctionalInterface
    interface Admitted {
        Admitted NONE = (request, valid) -> { };

        void admitted(HttpServletRequest request, Verification.Valid valid);
    }

    private final Function<HttpServletRequest, Optional<ApiKeyFilter>> scope;
    private final CorsHeaders cors;
    private final Admitted admitted;

    KeysServletFilter(Function<HttpServletRequest, Optional<ApiKeyFilter>> scope, CorsHeaders cors, Admitted admitted) {
        this.scope = scope;
        this.cors = cors;
        this.admitted = admitted;
    }

    /** The path the container maps filters and servlets by: decoded and normalised, inside the application. */
    static String pathWithinApplication(HttpServletRequest request) {
        String info = request.getPathInfo();
        return info == null ? request.getServletPath() : request.getServletPath() + info;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || CorsUtils.isPreFlightRequest(request)) {
            chain.doFilter(req, res);
            return;
        }
        Optional<ApiKeyFilter> filter = scope.apply(request);
        if (filter.isEmpty()) {
            chain.doFilter(req, res);
            return;
        }
        filter.get().doFilter(request, cors.onDenial(request, response), (admittedRequest, ignored) -> {
            HttpServletRequest r = (HttpServletRequest) admittedRequest;
            if (r.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) instanceof Verification.Valid v) admitted.admitted(r, v);
            chain.doFilter(r, response);
        });
    }
}
