package dev.keys.examples;

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
 * The HTTP benchmark's floor, served at {@code /floor/hello} only when {@code KEYS_BENCH_FLOOR=1}
 * (keys-jmh/http-bench.sh sets it): what any in-process key filter adds to a request whatever its verifier does,
 * and nothing more. It reads the credential header, writes the two RateLimit fields of docs/contract.md §5 (constant
 * values as long as the real ones), sets a request attribute and passes a wrapped request whose principal is named,
 * without verifying anything. {@code /floor/hello} ÷ {@code /hello} in one run is the best ratio any filter of this
 * shape could reach on the machine; it answers 401 without the header, so it is no open door, but it checks nothing
 * else: never enable it outside a benchmark.
 */
final class FloorFilter implements Filter {
    static final String ENABLED = "KEYS_BENCH_FLOOR";
    private static final Principal BENCH = () -> "bench";

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (request.getHeader("X-API-Key") == null) {
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
