package dev.keys.spring;

import dev.keys.servlet.ApiKeyFilter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One WebFlux request behind the servlet interfaces that {@link ApiKeyFilter} reads and writes, so that WebFlux
 * runs the very rules and answers of the servlet filter (credential sources, ambiguity, routes, path
 * normalisation, the problem+json denials) instead of a second copy of them. The request side answers from the
 * {@link ServerHttpRequest}; the response side only records status, headers and body, which the WebFlux filter then
 * writes. Anything else the filter might call fails loudly, naming the method, rather than answering wrongly.
 */
final class ServletShim {
    final HttpServletRequest request;
    final HttpServletResponse response;
    final HttpHeaders headers = new HttpHeaders();
    final ByteArrayOutputStream body = new ByteArrayOutputStream(256);
    int status = 200;
    /** The request as the filter admitted it (its principal and the verification attribute), or null. */
    HttpServletRequest admitted;

    private final ServerHttpRequest reactive;
    private final Map<String, Object> attributes = new HashMap<>(4);
    private final ServletOutputStream out = new ServletOutputStream() {
        @Override public boolean isReady() { return true; }
        @Override public void setWriteListener(WriteListener l) { throw new UnsupportedOperationException("blocking writes only"); }
        @Override public void write(int b) { body.write(b); }
        @Override public void write(byte[] b, int off, int len) { body.write(b, off, len); }
    };

    ServletShim(ServerHttpRequest reactive) {
        this.reactive = reactive;
        ClassLoader cl = ServletShim.class.getClassLoader();
        this.request = (HttpServletRequest) Proxy.newProxyInstance(cl, new Class<?>[] {HttpServletRequest.class}, this::onRequest);
        this.response = (HttpServletResponse) Proxy.newProxyInstance(cl, new Class<?>[] {HttpServletResponse.class}, this::onResponse);
    }

    /** Runs the filter; afterwards {@link #admitted} says whether it let the request through. */
    ServletShim run(ApiKeyFilter filter) throws Exception {
        filter.doFilter(request, response, (req, res) -> admitted = (HttpServletRequest) req);
        return this;
    }

    private Object onRequest(Object proxy, Method m, Object[] a) {
        HttpHeaders h = reactive.getHeaders();
        switch (m.getName()) {
            case "getMethod": return reactive.getMethod().name();
            case "getRequestURI": return reactive.getPath().value();
            case "getContextPath": return reactive.getPath().contextPath().value();
            case "getQueryString": return reactive.getURI().getRawQuery();
            case "getHeader": return h.getFirst((String) a[0]);
            case "getHeaders": return Collections.enumeration(values(h, (String) a[0]));
            case "getHeaderNames": {
                List<String> names = new ArrayList<>();
                h.forEach((name, v) -> names.add(name));
                return Collections.enumeration(names);
            }
            case "getRemoteAddr": {
                InetSocketAddress r = reactive.getRemoteAddress();
                return r == null || r.getAddress() == null ? null : r.getAddress().getHostAddress();
            }
            case "getAttribute": return attributes.get((String) a[0]);
            case "setAttribute": attributes.put((String) a[0], a[1]); return null;
            case "removeAttribute": attributes.remove((String) a[0]); return null;
            default: return object(proxy, m, a, "HttpServletRequest");
        }
    }

    private Object onResponse(Object proxy, Method m, Object[] a) {
        switch (m.getName()) {
            case "setStatus": status = (Integer) a[0]; return null;
            case "getStatus": return status;
            case "setHeader": headers.set((String) a[0], (String) a[1]); return null;
            case "addHeader": headers.add((String) a[0], (String) a[1]); return null;
            case "getHeader": return headers.getFirst((String) a[0]);
            case "containsHeader": return headers.getFirst((String) a[0]) != null;
            case "setContentType": headers.set(HttpHeaders.CONTENT_TYPE, (String) a[0]); return null;
            case "setContentLength", "setContentLengthLong", "flushBuffer", "setCharacterEncoding": return null;
            case "resetBuffer": body.reset(); return null;
            case "isCommitted": return false;
            case "getOutputStream": return out;
            default: return object(proxy, m, a, "HttpServletResponse");
        }
    }

    /**
     * Every value of a header, named in any case. By {@code forEach}, which Spring Framework 6.2 and 7 both have
     * ({@code get} takes an {@code Object} in one and a {@code String} in the other); a request has few headers.
     */
    private static List<String> values(HttpHeaders h, String name) {
        List<String> out = new ArrayList<>(1);
        h.forEach((n, v) -> {
            if (n.equalsIgnoreCase(name)) out.addAll(v);
        });
        return out;
    }

    private static Object object(Object proxy, Method m, Object[] a, String type) {
        switch (m.getName()) {
            case "toString": return "ServletShim." + type;
            case "hashCode": return System.identityHashCode(proxy);
            case "equals": return proxy == a[0];
            default: throw new UnsupportedOperationException("keys on WebFlux does not offer " + type + "." + m.getName());
        }
    }
}
