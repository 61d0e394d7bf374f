package dev.keys.core.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keys.api.RequestContext;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpConditionTest {

    static InetAddress ip(String literal) {
        IpAddresses.Parsed p = IpAddresses.parse(literal, 0, literal.length());
        if (p == null) throw new IllegalArgumentException(literal);
        return IpAddresses.toInetAddress(p.hi(), p.lo());
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.0/8          | 10.0.0.1              | true
            10.0.0.0/8          | 10.255.255.255        | true
            10.0.0.0/8          | 11.0.0.0              | false
            10.0.0.0/8          | 9.255.255.255         | false
            10.0.0.0/8          | ::ffff:10.0.0.1       | true
            10.0.0.0/8          | ::ffff:11.0.0.1       | false
            10.0.0.0/8          | ::a00:1               | false
            ::ffff:10.0.0.0/104 | 10.1.2.3              | true
            0.0.0.0/0           | 1.2.3.4               | true
            0.0.0.0/0           | 255.255.255.255       | true
            0.0.0.0/0           | 2001:db8::1           | false
            ::/0                | 2001:db8::1           | true
            ::/0                | 1.2.3.4               | true
            192.168.1.7/32      | 192.168.1.7           | true
            192.168.1.7/32      | 192.168.1.8           | false
            192.168.1.7         | 192.168.1.7           | true
            192.168.1.7         | 192.168.1.6           | false
            2001:db8::/32       | 2001:db8:ffff::1      | true
            2001:db8::/32       | 2001:db9::1           | false
            2001:db8::1/128     | 2001:db8::1           | true
            2001:db8::1/128     | 2001:db8::2           | false
            2001:db8::1         | 2001:db8:0:0:0:0:0:1  | true
            2001:db8::/64       | 2001:db8::ffff:1      | true
            2001:db8:0:1::/64   | 2001:db8::1           | false
            fe80::/10           | febf::1               | true
            fe80::/10           | fec0::1               | false
            ::1                 | ::1                   | true
            ::1                 | 127.0.0.1             | false
            127.0.0.0/8         | 127.0.0.1             | true
            """)
    void containment(String cidr, String address, boolean expected) {
        IpCondition c = IpCondition.of(List.of(cidr));
        assertEquals(expected, c.contains(ip(address)));
        assertEquals(expected, c.test(Keys.key().build(), RequestContext.of("GET", "/").withClientAddress(ip(address)), 0));
    }

    @Test
    void mappedAddressGivenAsInet6AddressIsStillIpv4() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        InetAddress a = Inet6Address.getByAddress(null, mapped, -1);
        assertTrue(IpCondition.of(List.of("10.0.0.0/8")).contains(a));
    }

    @Test
    void noClientAddressFails() {
        assertFalse(IpCondition.of(List.of("::/0")).test(Keys.key().build(), RequestContext.NONE, 0));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.0/33        | prefix length must be a number from 0 to 32
            10.0.0.0/          | prefix length must be a number from 0 to 32
            10.0.0.0/-1        | prefix length must be a number from 0 to 32
            10.0.0.0/08        | prefix length must be a number from 0 to 32
            2001:db8::/129     | prefix length must be a number from 0 to 128
            10.0.0.1/8         | address has bits set beyond the /8 prefix
            2001:db8::1/32     | address has bits set beyond the /32 prefix
            10.0.0             | not an IPv4 or IPv6 address literal
            10.0.0.256         | not an IPv4 or IPv6 address literal
            010.0.0.1          | not an IPv4 or IPv6 address literal
            10.0.0.0.0         | not an IPv4 or IPv6 address literal
            localhost          | not an IPv4 or IPv6 address literal
            example.com/8      | not an IPv4 or IPv6 address literal
            ''                 | not an IPv4 or IPv6 address literal
            1:2:3:4:5:6:7      | not an IPv4 or IPv6 address literal
            1:2:3:4:5:6:7:8:9  | not an IPv4 or IPv6 address literal
            1::2::3            | not an IPv4 or IPv6 address literal
            :1:2:3:4:5:6:7     | not an IPv4 or IPv6 address literal
            12345::            | not an IPv4 or IPv6 address literal
            fe80::1%eth0       | not an IPv4 or IPv6 address literal
            ::ffff:10.0.0.256  | not an IPv4 or IPv6 address literal
            1:2:3:4:5:6:7:1.2.3.4 | not an IPv4 or IPv6 address literal
            """)
    void invalidCidrsAreRejected(String cidr, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpCondition.of(List.of(cidr)));
        assertEquals("invalid CIDR \"" + cidr + "\": " + message, e.getMessage());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ::                       | 0:0:0:0:0:0:0:0
            ::1                      | 0:0:0:0:0:0:0:1
            1::                      | 1:0:0:0:0:0:0:0
            1:2:3:4:5:6:7::          | 1:2:3:4:5:6:7:0
            ::2:3:4:5:6:7:8          | 0:2:3:4:5:6:7:8
            1:2::7:8                 | 1:2:0:0:0:0:7:8
            ABCD:ef01::              | abcd:ef01:0:0:0:0:0:0
            ::1.2.3.4                | 0:0:0:0:0:0:102:304
            1:2:3:4:5:6:1.2.3.4      | 1:2:3:4:5:6:102:304
            """)
    void ipv6Forms(String literal, String full) {
        assertEquals(ip(full), ip(literal));
    }

    @Test
    void keyAllowlistFailsClosed() {
        List<String> problems = new ArrayList<>();
        IpCondition c = IpCondition.ofAllowlist(List.of("nonsense", "10.0.0.0/8"), problems).orElseThrow();
        assertTrue(c.contains(ip("10.1.1.1")));
        assertEquals(1, problems.size());
        IpCondition none = IpCondition.ofAllowlist(List.of("nonsense"), new ArrayList<>()).orElseThrow();
        assertFalse(none.contains(ip("10.1.1.1")));
        assertTrue(IpCondition.ofAllowlist(List.of(), problems).isEmpty());
        assertEquals("ip 10.0.0.0/8, 192.168.0.1", IpCondition.of(List.of("10.0.0.0/8", "192.168.0.1")).describe());
    }
}
