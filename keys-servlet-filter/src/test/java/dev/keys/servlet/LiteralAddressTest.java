package dev.keys.servlet;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class LiteralAddressTest {
    @Test
    void dottedQuadsParseWithoutDns() throws Exception {
        for (String a : new String[] {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.1.20.200"}) {
            assertArrayEquals(InetAddress.getByName(a).getAddress(), Requests.ipv4(a), a);
            assertEquals(Optional.of(InetAddress.getByName(a)), Requests.literalAddress(a));
        }
        for (String bad : new String[] {"256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "1234.1.1.1", ""}) {
            assertNull(Requests.ipv4(bad), bad);
        }
        assertEquals(Optional.of(InetAddress.getByName("::1")), Requests.literalAddress("[::1]"));
        assertEquals(Optional.empty(), Requests.literalAddress("example.com"));
    }
}
