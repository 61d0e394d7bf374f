package dev.keys.servlet;

import dev.keys.api.RequestContext;
import dev.keys.core.authz.IpAddresses;
import dev.keys.core.authz.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;

import java.net.InetAddress;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/** What the verifier is told of an HTTP request, read one way for the filter and the admin API. */
final class Requests {

    private Requests() {
    }

    /**
     * What the verifier knows of the request: the method, the path inside the web application as received (not yet
     * decoded; route matching normalises it) and the client address, which is the socket peer unless the peer is a
     * trusted proxy, in which case {@code X-Forwarded-For} is walked by the {@link TrustedProxies} rule. The address
     * is found only if something asks for it during the verification (an IP condition, an observer): the container
     * formats the peer's address anew on each {@code getRemoteAddr}, which with its parse was about a tenth of the
     * filter's own CPU in a profile, for keys that have no IP condition.
     */
    static RequestContext context(HttpServletRequest request, TrustedProxies proxies) {
        String uri = request.getRequestURI();
        String cp = request.getContextPath();
        String path = cp != null && !cp.isEmpty() && uri.startsWith(cp) ? uri.substring(cp.length()) : uri;
        return RequestContext.of(request.getMethod(), path, () -> clientAddress(request, proxies));
    }

    /** The client address of {@link #context}. */
    static Optional<InetAddress> clientAddress(HttpServletRequest request, TrustedProxies proxies) {
        Optional<InetAddress> peer = literalAddress(request.getRemoteAddr());
        if (peer.isPresent() && proxies != TrustedProxies.NONE && proxies.isTrusted(peer.get())) {
            Enumeration<String> xff = request.getHeaders("X-Forwarded-For");
            List<String> values = xff == null ? List.of() : Collections.list(xff);
            if (!values.isEmpty()) peer = Optional.of(proxies.clientAddress(peer.get(), values));
        }
        return peer;
    }

    /**
     * Parses an IP literal without ever asking DNS ({@link IpAddresses#literal}); anything else is empty. Each thread
     * remembers the last text it parsed: on a kept-alive connection every request comes from the same peer, and the
     * parse (with its {@code InetAddress}) measured about 7% of the filter's own CPU in a profile. A different text
     * costs one comparison more than no memo.
     */
    static Optional<InetAddress> literalAddress(String text) {
        if (text == null) return Optional.empty();
        Parsed last = LAST.get();
        if (text.equals(last.text)) return last.address;
        Optional<InetAddress> address = IpAddresses.literal(text);
        LAST.set(new Parsed(text, address));
        return address;
    }

    /** A peer address's text and what it parsed to ({@code InetAddress} and {@code Optional} are immutable). */
    private record Parsed(String text, Optional<InetAddress> address) {
    }

    private static final ThreadLocal<Parsed> LAST = ThreadLocal.withInitial(() -> new Parsed(null, Optional.empty()));
}
