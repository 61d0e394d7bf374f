package dev.keys.servlet;

import dev.keys.api.RequestContext;
import dev.keys.core.authz.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The request context the filter hands the verifier: its address is read from the request only when asked. */
class RequestsTest {
    private final AtomicInteger peerReads = new AtomicInteger();

    private HttpServletRequest request(String peer, List<String> forwardedFor) {
        return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getRequestURI" -> "/app/api/hello";
                    case "getContextPath" -> "/app";
                    case "getMethod" -> "GET";
                    case "getRemoteAddr" -> {
                        peerReads.incrementAndGet();
                        yield peer;
                    }
                    case "getHeaders" -> "X-Forwarded-For".equals(args[0]) ? Collections.enumeration(forwardedFor) : Collections.emptyEnumeration();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void thePeerIsReadOnlyWhenTheAddressIsAskedFor() throws Exception {
        RequestContext ctx = Requests.context(request("10.0.0.7", List.of()), TrustedProxies.NONE);
        assertEquals("GET", ctx.method());
        assertEquals("/api/hello", ctx.path());
        assertEquals(0, peerReads.get(), "no address read for a context nobody asked");
        assertEquals(Optional.of(InetAddress.getByName("10.0.0.7")), ctx.clientAddress());
        assertEquals(Optional.of(InetAddress.getByName("10.0.0.7")), ctx.withCost(3).clientAddress());
        assertEquals(1, peerReads.get());
    }

    @Test
    void aTrustedProxysForwardedForIsWalkedWhenAsked() throws Exception {
        TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8"));
        RequestContext ctx = Requests.context(request("10.0.0.7", List.of("203.0.113.9, 10.0.0.3")), proxies);
        assertEquals(Optional.of(InetAddress.getByName("203.0.113.9")), ctx.clientAddress());
        assertEquals(Optional.of(InetAddress.getByName("198.51.100.1")),
                Requests.context(request("198.51.100.1", List.of("203.0.113.9")), proxies).clientAddress(), "an untrusted peer's header is ignored");
        assertEquals(Optional.empty(), Requests.context(request("not an address", List.of()), proxies).clientAddress());
    }
}
