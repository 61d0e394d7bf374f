package dev.keys.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.cors.DefaultCorsProcessor;

import java.io.IOException;
import java.util.List;

/**
 * The CORS headers the application configured, added to keys' denials of cross-origin requests: the filter answers
 * before Spring MVC would have added them, and a browser hides an answer without them from the page. The
 * configuration is the one Spring MVC would apply to the request ({@code @CrossOrigin}, {@code addCorsMappings}),
 * or, first, a {@code CorsConfigurationSource} bean named {@code corsConfigurationSource} (Spring Security's
 * convention). It is looked up only for a denial, so admitted requests pay nothing; as the source of Spring
 * Security's CORS filter in the starter's chain, only for cross-origin requests.
 */
final class CorsHeaders implements CorsConfigurationSource {
    static final CorsHeaders NONE = new CorsHeaders(List.of());

    private final List<CorsConfigurationSource> sources;

    CorsHeaders(List<CorsConfigurationSource> sources) {
        this.sources = List.copyOf(sources);
    }

    boolean isEmpty() {
        return sources.isEmpty();
    }

    /** The first source's configuration for a cross-origin request; null for any other (no lookup at all). */
    @Override
    public CorsConfiguration getCorsConfiguration(HttpServletRequest request) {
        if (!CorsUtils.isCorsRequest(request)) return null;
        for (CorsConfigurationSource s : sources) {
            CorsConfiguration c = s.getCorsConfiguration(request);
            if (c != null) return c;
        }
        return null;
    }

    /** {@code response}, or for a cross-origin request one that adds the CORS headers once a denial sets its status. */
    HttpServletResponse onDenial(HttpServletRequest request, HttpServletResponse response) {
        if (sources.isEmpty() || !CorsUtils.isCorsRequest(request)) return response;
        return new HttpServletResponseWrapper(response) {
            @Override
            public void setStatus(int sc) {
                if (sc >= 400) apply(request, response);
                super.setStatus(sc);
            }
        };
    }

    /** Adds the headers when the application allows this origin and method; nothing otherwise (as Spring would). */
    void apply(HttpServletRequest request, HttpServletResponse response) {
        if (response.getHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN) != null) return;
        CorsConfiguration config = getCorsConfiguration(request);
        if (config == null || config.checkOrigin(request.getHeader(HttpHeaders.ORIGIN)) == null
                || config.checkHttpMethod(HttpMethod.valueOf(request.getMethod())) == null) {
            return;
        }
        try {
            // Origin and method pass, so the processor only writes headers and never rejects.
            new DefaultCorsProcessor().processRequest(config, request, response);
        } catch (IOException e) {
            // the denial that follows reports the failed write
        }
    }
}
