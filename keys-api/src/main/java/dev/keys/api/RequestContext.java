package dev.keys.api;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the verifier knows of the request beyond the credential: for authorization conditions, routes and the
 * request cost charged to rate limits. The time is not here: the verifier reads its own {@link Clock} once.
 *
 * @param method        HTTP method in upper case, or empty outside HTTP
 * @param path          the request path as received (normalisation is the authorizer's job), or empty
 * @param clientAddress the client's address after the trusted-proxy rule
 * @param attributes    request attributes for ABAC conditions
 * @param cost          tokens this request takes from every bandwidth, at least 1
 */
public record RequestContext(String method, String path, Optional<InetAddress> clientAddress, Map<String, String> attributes, long cost) {
    public static final RequestContext NONE = new RequestContext("", "", Optional.empty(), Map.of(), 1);

    public RequestContext {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(clientAddress, "clientAddress");
        attributes = Map.copyOf(attributes);
        if (cost < 1) throw new IllegalArgumentException("request cost must be at least 1");
    }

    public static RequestContext of(String method, String path) {
        return new RequestContext(method, path, Optional.empty(), Map.of(), 1);
    }

    public RequestContext withClientAddress(InetAddress address) {
        return new RequestContext(method, path, Optional.of(address), attributes, cost);
    }

    public RequestContext withAttributes(Map<String, String> attrs) {
        return new RequestContext(method, path, clientAddress, attrs, cost);
    }

    public RequestContext withCost(long c) {
        return new RequestContext(method, path, clientAddress, attributes, c);
    }
}
