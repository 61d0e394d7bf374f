package dev.keys.core.ops;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Client networks as CIDR strings: the address with its host bits cleared. */
final class Networks {
    private Networks() {
    }

    static String network(InetAddress a, int v4Bits, int v6Bits) {
        byte[] b = a.getAddress();
        int bits = a instanceof Inet4Address ? v4Bits : v6Bits;
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
