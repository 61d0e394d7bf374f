package dev.keys.api;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the verifier knows of the request beyond the credential: for authorization conditions, routes and the
 * request cost charged to rate limits. The time is not here: the verifier reads its own {@link Clock} once.
 * Immutable; two contexts are equal when their five values are.
 *
 * <p>The client address may be given as it is, or as a way to find it ({@link #of(String, String, Supplier)}): then
 * it is found the first time something asks for it (an IP condition, an observer of verifications), once for the
 * context and its copies, and never when nothing does. Finding a peer's address is a visible share of an HTTP filter's own work
 * (a servlet container formats it anew on each call), and most keys have no IP condition.
 */
public final class RequestContext {
    public static final RequestContext NONE = new RequestContext("", "", Optional.empty(), Map.of(), 1);

    private final String method;
    private final String path;
    private final Map<String, String> attributes;
    private final long cost;
    /** The address as given; null when it is found lazily ({@link #source}). */
    private final Optional<InetAddress> given;
    /** Where a lazily given address comes from, null otherwise; shared by the copies {@code with...} makes, so it is found once. */
    private final Address source;

    /**
     * @param method        HTTP method in upper case, or empty outside HTTP
     * @param path          the request path as received (normalisation is the authorizer's job), or empty
     * @param clientAddress the client's address after the trusted-proxy rule
     * @param attributes    request attributes for ABAC conditions
     * @param cost          tokens this request takes from every bandwidth, at least 1
     */
    public RequestContext(String method, String path, Optional<InetAddress> clientAddress, Map<String, String> attributes, long cost) {
        this(method, path, Objects.requireNonNull(clientAddress, "clientAddress"), null, attributes, cost);
    }

    private RequestContext(String method, String path, Optional<InetAddress> given, Address source, Map<String, String> attributes, long cost) {
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.given = given;
        this.source = source;
        this.attributes = Map.copyOf(attributes);
        if (cost < 1) throw new IllegalArgumentException("request cost must be at least 1");
        this.cost = cost;
    }

    public static RequestContext of(String method, String path) {
        return new RequestContext(method, path, Optional.empty(), Map.of(), 1);
    }

    /**
     * A context whose client address is found only when something asks for it, by {@code clientAddress}: called
     * once for this context and the copies made from it (two threads asking at the same moment may both call it), on
     * the thread that asks, while the request is being verified (so a servlet request may be read in it). An address
     * it cannot tell is {@code Optional.empty()}; so is a throw or a null.
     */
    public static RequestContext of(String method, String path, Supplier<Optional<InetAddress>> clientAddress) {
        return new RequestContext(method, path, null, new Address(Objects.requireNonNull(clientAddress, "clientAddress")), Map.of(), 1);
    }

    /** HTTP method in upper case, or empty outside HTTP. */
    public String method() {
        return method;
    }

    /** The request path as received (normalisation is the authorizer's job), or empty. */
    public String path() {
        return path;
    }

    /** The client's address after the trusted-proxy rule, or empty when it is not known. */
    public Optional<InetAddress> clientAddress() {
        return given != null ? given : source.get();
    }

    /** Request attributes for ABAC conditions. */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** Tokens this request takes from every bandwidth, at least 1. */
    public long cost() {
        return cost;
    }

    public RequestContext withClientAddress(InetAddress address) {
        return new RequestContext(method, path, Optional.of(address), attributes, cost);
    }

    public RequestContext withAttributes(Map<String, String> attrs) {
        return new RequestContext(method, path, given, source, attrs, cost);
    }

    public RequestContext withCost(long c) {
        return new RequestContext(method, path, given, source, attributes, c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestContext c && cost == c.cost && method.equals(c.method) && path.equals(c.path)
                && attributes.equals(c.attributes) && clientAddress().equals(c.clientAddress());
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, path, clientAddress(), attributes, cost);
    }

    @Override
    public String toString() {
        return "RequestContext[method=" + method + ", path=" + path + ", clientAddress=" + clientAddress() + ", attributes="
                + attributes + ", cost=" + cost + "]";
    }

    /** A lazily given address, found once for every context that shares it. */
    private static final class Address {
        private final Supplier<Optional<InetAddress>> supplier;
        private volatile Optional<InetAddress> found;

        Address(Supplier<Optional<InetAddress>> supplier) {
            this.supplier = supplier;
        }

        Optional<InetAddress> get() {
            Optional<InetAddress> a = found;
            if (a != null) return a;
            try {
                a = Objects.requireNonNullElse(supplier.get(), Optional.empty());
            } catch (RuntimeException e) {
                a = Optional.empty(); // an address that cannot be told is not known: an IP condition then denies
            }
            found = a;
            return a;
        }
    }
}
