package dev.keys.servlet;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The servlet side reads socket peers and admin-given addresses through core's one IP-literal parser. */
class LiteralAddressTest {
    @Test
    void dottedQuadsParseWithoutDns() throws Exception {
        for (String a : new String[] {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.1.20.200"}) {
            assertArrayEquals(InetAddress.getByName(a).getAddress(), Requests.literalAddress(a).orElseThrow().getAddress(), a);
            assertEquals(Optional.of(InetAddress.getByName(a)), Requests.literalAddress(a));
        }
        for (String bad : new String[] {"256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "1234.1.1.1", ""}) {
            assertEquals(Optional.empty(), Requests.literalAddress(bad), bad);
        }
        assertEquals(Optional.of(InetAddress.getByName("::1")), Requests.literalAddress("[::1]"));
        assertEquals(Optional.empty(), Requests.literalAddress("example.com"));
    }

    @Test
    void ipv6LiteralsParseWithoutDnsAndZonesAreDropped() throws Exception {
        assertEquals(Optional.of(InetAddress.getByName("2001:db8::7")), Requests.literalAddress("2001:db8::7"));
        assertEquals(Optional.of(InetAddress.getByName("10.0.0.1")), Requests.literalAddress("::ffff:10.0.0.1"));
        assertEquals(Optional.of(InetAddress.getByName("fe80::1")), Requests.literalAddress("fe80::1%eth0"));
        for (String bad : new String[] {"[::1", "::1]", "fe80::1%", "1.2.3.4%eth0", ":::", "1:2:3:4:5:6:7:8:9", "[]", "localhost"}) {
            assertEquals(Optional.empty(), Requests.literalAddress(bad), bad);
        }
        assertEquals(Optional.empty(), Requests.literalAddress(null));
    }

    @Test
    void theThreadsLastAddressIsRememberedWithoutMixingPeers() throws Exception {
        String[] peers = {"10.0.0.1", "10.0.0.1", "192.168.1.9", "10.0.0.1", "not an address", "10.0.0.1", "::1", "::1", "192.168.1.9"};
        for (int round = 0; round < 3; round++) {
            for (String p : peers) {
                Optional<InetAddress> want = p.contains(" ") ? Optional.empty() : Optional.of(InetAddress.getByName(p));
                assertEquals(want, Requests.literalAddress(p), p);
                assertEquals(want, Requests.literalAddress(new String(p.toCharArray())), "an equal text, not the same object: " + p);
            }
        }
        Optional<InetAddress>[] seen = new Optional[2];
        Thread other = new Thread(() -> seen[0] = Requests.literalAddress("172.16.0.3"));
        Requests.literalAddress("10.9.9.9");
        other.start();
        other.join();
        seen[1] = Requests.literalAddress("10.9.9.9");
        assertEquals(Optional.of(InetAddress.getByName("172.16.0.3")), seen[0]);
        assertEquals(Optional.of(InetAddress.getByName("10.9.9.9")), seen[1], "another thread's peer never shows here");
    }
}
