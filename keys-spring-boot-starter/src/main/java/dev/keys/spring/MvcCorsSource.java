package dev.keys.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CORS configuration Spring MVC would apply to a request ({@code @CrossOrigin}, {@code addCorsMappings}), found
 * as the DispatcherServlet finds the handler: the first mapping that has one decides, and its CORS interceptor (or
 * the handler itself) holds the configuration. Loaded only when Spring MVC is on the class path.
 */
final class MvcCorsSource implements CorsConfigurationSource {
    private final List<HandlerMapping> mappings;

    MvcCorsSource(List<HandlerMapping> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    @Override
    public CorsConfiguration getCorsConfiguration(HttpServletRequest request) {
        HttpServletRequest lookup = new ScratchAttributes(request);
        ServletRequestPathUtils.parseAndCache(lookup);
        for (HandlerMapping m : mappings) {
            HandlerExecutionChain chain;
            try {
                chain = m.getHandler(lookup);
            } catch (Exception e) {
                continue;                    // e.g. a method this mapping does not serve: the next one may
            }
            if (chain == null) continue;
            for (HandlerInterceptor i : chain.getInterceptorList()) {
                if (i instanceof CorsConfigurationSource s) return s.getCorsConfiguration(lookup);
            }
            return chain.getHandler() instanceof CorsConfigurationSource s ? s.getCorsConfiguration(lookup) : null;
        }
        return null;
    }

    /** The request with attributes of its own, so that a handler lookup leaves nothing behind on the real one. */
    private static final class ScratchAttributes extends HttpServletRequestWrapper {
        private final Map<String, Object> attributes = new HashMap<>();

        ScratchAttributes(HttpServletRequest request) {
            super(request);
        }

        @Override
        public Object getAttribute(String name) {
            return attributes.containsKey(name) ? attributes.get(name) : super.getAttribute(name);
        }

        @Override
        public void setAttribute(String name, Object o) {
            attributes.put(name, o);
        }

        @Override
        public void removeAttribute(String name) {
            attributes.put(name, null);
        }
    }
}
