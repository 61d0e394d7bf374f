package dev.keys.api;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class RequestContextTest {
    private static final InetAddress ADDRESS = InetAddress.getLoopbackAddress();

    @Test
    void aLazyAddressIsFoundOnlyWhenAskedAndOnceForEveryCopy() {
        AtomicInteger calls = new AtomicInteger();
        RequestContext ctx = RequestContext.of("GET", "/a", () -> {
            calls.incrementAndGet();
            return Optional.of(ADDRESS);
        });
        RequestContext weighted = ctx.withCost(5).withAttributes(Map.of("k", "v"));
        assertEquals(0, calls.get(), "nothing asked yet");
        assertEquals(Optional.of(ADDRESS), weighted.clientAddress());
        assertEquals(Optional.of(ADDRESS), ctx.clientAddress());
        assertEquals(Optional.of(ADDRESS), weighted.clientAddress());
        assertEquals(1, calls.get());
        assertEquals(5, weighted.cost());
        assertEquals(Map.of("k", "v"), weighted.attributes());
        assertEquals("GET", weighted.method());
        assertEquals("/a", weighted.path());
    }

    @Test
    void anAddressThatCannotBeToldIsNotKnown() {
        assertEquals(Optional.empty(), RequestContext.of("GET", "/a", () -> { throw new IllegalStateException("no peer"); }).clientAddress());
        assertEquals(Optional.empty(), RequestContext.of("GET", "/a", () -> null).clientAddress());
        assertThrows(NullPointerException.class, () -> RequestContext.of("GET", "/a", null));
    }

    @Test
    void equalWhenTheValuesAreHoweverTheAddressWasGiven() {
        RequestContext given = new RequestContext("GET", "/a", Optional.of(ADDRESS), Map.of(), 1);
        RequestContext lazy = RequestContext.of("GET", "/a", () -> Optional.of(ADDRESS));
        assertEquals(given, lazy);
        assertEquals(given.hashCode(), lazy.hashCode());
        assertEquals(given.toString(), lazy.toString());
        assertNotEquals(given, lazy.withCost(2));
        assertEquals(lazy.withClientAddress(ADDRESS), given);
        assertEquals(Optional.empty(), RequestContext.NONE.clientAddress());
        assertThrows(IllegalArgumentException.class, () -> RequestContext.of("GET", "/a").withCost(0));
        assertThrows(NullPointerException.class, () -> new RequestContext("GET", "/a", null, Map.of(), 1));
    }
}
