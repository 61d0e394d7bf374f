package dev.keys.core.authz;

import static dev.keys.core.authz.IpConditionTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrustedProxiesTest {
    private final TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "2001:db8::/32"));

    @ParameterizedTest(name = "[{index}] peer {0}, XFF {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            203.0.113.9 | 1.2.3.4                          | 203.0.113.9
            10.0.0.1    | ''                               | 10.0.0.1
            10.0.0.1    | 198.51.100.7                     | 198.51.100.7
            10.0.0.1    | 1.1.1.1, 198.51.100.7            | 198.51.100.7
            10.0.0.1    | 1.1.1.1, 198.51.100.7, 10.0.0.2  | 198.51.100.7
            10.0.0.1    | 10.9.9.9, 10.0.0.2               | 10.9.9.9
            10.0.0.1    | garbage, 198.51.100.7            | 198.51.100.7
            10.0.0.1    | 198.51.100.7, garbage            | 10.0.0.1
            10.0.0.1    | 198.51.100.7, unknown, 10.0.0.3  | 10.0.0.3
            10.0.0.1    | 198.51.100.7:4711                | 198.51.100.7
            10.0.0.1    | '[2001:db9::1]:443'              | 2001:db9::1
            10.0.0.1    | 2001:db9::1                      | 2001:db9::1
            10.0.0.1    | 2001:db8::5, 10.0.0.2            | 2001:db8::5
            2001:db8::1 | ::ffff:198.51.100.7              | 198.51.100.7
            10.0.0.1    | ' 198.51.100.7 '                 | 198.51.100.7
            10.0.0.1    | 1.1.1.1,,10.0.0.4                | 10.0.0.4
            10.0.0.1    | evil.example.com                 | 10.0.0.1
            10.0.0.1    | 010.0.0.1                        | 10.0.0.1
            """)
    void walksFromTheRight(String peer, String xff, String expected) {
        List<String> headers = xff.isEmpty() ? List.of() : List.of(xff);
        assertEquals(ip(expected), proxies.clientAddress(ip(peer), headers));
    }

    @Test
    void severalHeaderLinesAreOneListInOrder() {
        assertEquals(ip("198.51.100.7"), proxies.clientAddress(ip("10.0.0.1"), Arrays.asList("1.1.1.1, 198.51.100.7", "10.0.0.9")));
        assertEquals(ip("10.0.0.8"), proxies.clientAddress(ip("10.0.0.1"), Arrays.asList("10.0.0.8", "10.0.0.9")), "all trusted: the leftmost");
    }

    @Test
    void noTrustedProxiesMeansThePeer() {
        assertEquals(ip("10.0.0.1"), TrustedProxies.NONE.clientAddress(ip("10.0.0.1"), List.of("1.2.3.4")));
    }
}
