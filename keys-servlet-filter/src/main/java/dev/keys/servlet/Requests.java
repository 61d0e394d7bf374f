package dev.keys.servlet;

import dev.keys.api.RequestContext;
import dev.keys.core.authz.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the verifier is told of an HTTP request, read one way for the filter and the admin API. */
final class Requests {
    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

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

    /** A dotted-quad IPv4 literal (no leading zeros beyond a lone 0), or null: the common case, without a regex. */
    static byte[] ipv4(String t) {
        int n = t.length();
        if (n < 7 || n > 15) return null;
        byte[] out = new byte[4];
        int part = 0, value = 0, digits = 0;
        for (int i = 0; i <= n; i++) {
            char c = i == n ? '.' : t.charAt(i);
            if (c == '.') {
                if (digits == 0 || part == 4) return null;
                out[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) return null;
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) return null;
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    /** Parses an IP literal without ever asking DNS; anything else is empty. */
    static Optional<InetAddress> literalAddress(String text) {
        if (text == null || text.isEmpty()) return Optional.empty();
        byte[] v4 = ipv4(text);
        if (v4 != null) {
            try {
                return Optional.of(InetAddress.getByAddress(v4));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean colon = t.indexOf(':') >= 0;
        if (colon) {
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) return Optional.empty();
            }
        } else if (!IPV4.matcher(t).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(t));
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }
}
