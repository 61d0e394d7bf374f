package dev.keys.servlet;

import dev.keys.api.RequestContext;
import dev.keys.core.authz.IpAddresses;
import dev.keys.core.authz.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;

import java.net.InetAddress;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the verifier is told of an HTTP request, read one way for the filter and the admin API. */
final class Requests {

    private Requests() {
    }

    /**
     * What the verifier knows of the request: the method, the path inside the web application as received (not yet
     * decoded; route matching normalises it) and the client address, which is the socket peer unless the peer is a
     * trusted proxy, in which case {@code X-Forwarded-For} is walked by the {@link TrustedProxies} rule.
     */
    static RequestContext context(HttpServletRequest request, TrustedProxies proxies) {
        String uri = request.getRequestURI();
        String cp = request.getContextPath();
        String path = cp != null && !cp.isEmpty() && uri.startsWith(cp) ? uri.substring(cp.length()) : uri;
        Optional<InetAddress> peer = literalAddress(request.getRemoteAddr());
        if (peer.isPresent() && proxies != TrustedProxies.NONE && proxies.isTrusted(peer.get())) {
            Enumeration<String> xff = request.getHeaders("X-Forwarded-For");
            List<String> values = xff == null ? List.of() : Collections.list(xff);
            if (!values.isEmpty()) peer = Optional.of(proxies.clientAddress(peer.get(), values));
        }
        return new RequestContext(request.getMethod(), path, peer, Map.of(), 1);
    }

    /** Parses an IP literal without ever asking DNS ({@link IpAddresses#literal}); anything else is empty. */
    static Optional<InetAddress> literalAddress(String text) {
        return IpAddresses.literal(text);
    }
}
