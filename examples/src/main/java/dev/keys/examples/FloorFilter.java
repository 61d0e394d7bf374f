package dev.keys.examples;

import dev.keys.core.verify.CredentialVerifier;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.security.Principal;

/**
 * The HTTP benchmark's floors, served only when {@code KEYS_BENCH_FLOOR=1} (keys-jmh/http-bench.sh sets it): what any
 * in-process key filter adds to a request, and nothing more. It reads the credential header, writes the two
 * RateLimit fields of docs/contract.md §5 (constant values as long as the real ones), sets a request attribute and
 * passes a wrapped request whose principal is named. At {@code /floor/hello} it verifies nothing (401 only without
 * the header); at {@code /floor-verify/hello} it also asks the service's verifier, with no route, permission or
 * request context, and answers 401 unless the key is valid. Over {@code /hello} in one run, the first is the best
 * ratio any filter of this shape could reach on the machine, the second the best one with this verifier (its
 * hashing, cache and limits). Neither checks permissions: never enable them outside a benchmark.
 */
final class FloorFilter implements Filter {
    static final String ENABLED = "KEYS_BENCH_FLOOR";
    private static final Principal BENCH = () -> "bench";
    /** Null at {@code /floor/hello}: nothing is verified. */
    private final CredentialVerifier verifier;

    FloorFilter(CredentialVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String key = request.getHeader("X-API-Key");
        if (key == null || (verifier != null && !verifier.verify(key).isValid())) {
            response.sendError(401);
            return;
        }
        response.setHeader("RateLimit-Policy", "\"bench\";q=1000000000;w=1");
        response.setHeader("RateLimit", "\"bench\";r=999999999;t=1");
        request.setAttribute("dev.keys.bench.floor", BENCH);
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public Principal getUserPrincipal() {
                return BENCH;
            }
        }, response);
    }
}
