package dev.keys.spring;

import dev.keys.api.Verification;
import dev.keys.core.authz.NormalizedPath;
import dev.keys.core.authz.PathNormalizer;
import dev.keys.servlet.ApiKeyFilter;
import dev.keys.servlet.CredentialSources;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.io.IOException;
import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The filter for WebFlux (and Spring Cloud Gateway): the servlet filter's rules and answers, run over a
 * {@link ServletShim}, and never on an event-loop thread when the request carries a credential, since verifying an
 * uncached key reads the store and a key with a quota counts in the store: that work goes to {@code scheduler}
 * (bounded elastic). A request without a credential is answered on the loop: it costs no I/O. An admitted request
 * goes on with the key as the exchange's principal and the verification as the attribute
 * {@value ApiKeyFilter#VERIFICATION_ATTRIBUTE}; a denial of a cross-origin request first lets the application's
 * handler mappings add the CORS headers they would have added (as they do for {@code @CrossOrigin}). An exchange
 * that a key admitted already (the filter ran in Spring Security's chain, then again as a plain filter) goes on as
 * it is: a key is verified, and its limits are counted, once per request.
 *
 * <p>Only headers methods that Spring Framework 6.2 and 7 both have are called ({@code HttpHeaders} stopped being a
 * {@code Map} in 7), so that the one jar serves Spring Boot 3.5 and 4.
 */
final class KeysWebFilter implements WebFilter, Ordered {
    /** Told of each admitted exchange; what it answers is the rest of the chain (Spring Security's context, say). */
    @FunctionalInterface
    interface Admitted {
        Admitted NONE = (valid, next) -> next;

        Mono<Void> admitted(Verification.Valid valid, Mono<Void> next);
    }

    private final ApiKeyFilter filter;
    private final UrlPatterns paths;
    private final CredentialSources sources;
    private final boolean hideCredentials;
    private final Supplier<List<HandlerMapping>> mappings;
    private final Scheduler scheduler;
    private final int order;
    private final Admitted admitted;

    KeysWebFilter(KeysFilters filters, boolean hideCredentials, Supplier<List<HandlerMapping>> mappings, Scheduler scheduler, int order,
                  Admitted admitted) {
        this.filter = filters.api();
        this.paths = filters.apiPaths();
        this.sources = filters.sources();
        this.hideCredentials = hideCredentials;
        this.mappings = mappings;
        this.scheduler = scheduler;
        this.order = order;
        this.admitted = admitted;
    }

    @Override
    public int getOrder() {
        return order;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (!guards(request) || CorsUtils.isPreFlightRequest(request)
                || exchange.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) instanceof Verification.Valid) {
            return chain.filter(exchange);
        }
        ServletShim shim = new ServletShim(request);
        Mono<ServletShim> verified = Mono.fromCallable(() -> shim.run(filter));
        if (sources.carriesCredential(shim.request)) verified = verified.subscribeOn(scheduler);
        return verified.flatMap(s -> s.admitted != null ? admit(exchange, chain, s) : deny(exchange, s));
    }

    /** Whether the path is one the filter guards; a path keys' normaliser refuses is guarded (and answered 400). */
    boolean guards(ServerHttpRequest request) {
        NormalizedPath n = PathNormalizer.normalize(request.getPath().pathWithinApplication().value());
        return !(n instanceof NormalizedPath.Valid v) || paths.matches(v.path());
    }

    private Mono<Void> admit(ServerWebExchange exchange, WebFilterChain chain, ServletShim s) {
        HttpHeaders out = exchange.getResponse().getHeaders();
        s.headers.forEach(out::addAll);
        HttpServletRequest request = s.admitted;
        Principal principal = request.getUserPrincipal();
        ServerWebExchange.Builder next = exchange.mutate().principal(Mono.just(principal));
        if (hideCredentials) next.request(r -> hidden(exchange.getRequest(), request, r));
        ServerWebExchange e = next.build();
        Verification.Valid valid = (Verification.Valid) request.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE);
        e.getAttributes().put(ApiKeyFilter.VERIFICATION_ATTRIBUTE, valid);
        return admitted.admitted(valid, chain.filter(e));
    }

    /** The request without its credential: headers and query as the servlet filter's hiding request shows them. */
    private static void hidden(ServerHttpRequest original, HttpServletRequest view, ServerHttpRequest.Builder r) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        original.getHeaders().forEach((name, values) -> {
            List<String> k = Collections.list(view.getHeaders(name));
            if (!k.isEmpty()) kept.put(name, k);
        });
        r.headers(h -> {
            h.clear();
            h.putAll(kept);
        });
        r.uri(UriComponentsBuilder.fromUri(original.getURI()).replaceQuery(view.getQueryString()).build(true).toUri());
    }

    /** Answers {@code denied} as the filter answers it (problem+json, challenge, request id, CORS headers). */
    Mono<Void> refuse(ServerWebExchange exchange, Verification.Denied denied) {
        ServletShim shim = new ServletShim(exchange.getRequest());
        try {
            filter.deny(shim.request, shim.response, denied);
        } catch (IOException e) {
            return Mono.error(e);
        }
        return deny(exchange, shim);
    }

    private Mono<Void> deny(ServerWebExchange exchange, ServletShim s) {
        Mono<Void> cors = CorsUtils.isCorsRequest(exchange.getRequest()) ? corsHeaders(exchange) : Mono.empty();
        return cors.then(Mono.defer(() -> {
            ServerHttpResponse response = exchange.getResponse();
            response.setStatusCode(HttpStatusCode.valueOf(s.status));
            HttpHeaders h = response.getHeaders();
            s.headers.forEach(h::put);
            DataBuffer body = response.bufferFactory().wrap(s.body.toByteArray());
            return response.writeWith(Mono.just(body));
        }));
    }

    /**
     * Lets the handler mappings add the CORS headers the application configured for this request: looking up the
     * handler is where WebFlux applies a handler's or a global CORS configuration to the response.
     */
    private Mono<Void> corsHeaders(ServerWebExchange exchange) {
        return Flux.fromIterable(mappings.get()).concatMap(m -> m.getHandler(exchange)).next()
                .onErrorResume(e -> Mono.empty()).then();
    }
}
