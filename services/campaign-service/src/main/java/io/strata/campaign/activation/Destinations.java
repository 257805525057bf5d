package io.strata.campaign.activation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Where a destination may point: a public address. A tenant's admin sets the URL, and the service
 * posts from inside the cluster, so loopback, private, link-local (the cloud's metadata service),
 * multicast and unspecified addresses are refused — at setting, and again at each delivery, since a
 * name may resolve elsewhere later. {@code strata.campaign.activation.allow-private-addresses} lets a
 * private network's destinations through (an on-premise CRM; the tests' local receiver).
 */
final class Destinations {

    private Destinations() {}

    /** Why the host may not be posted to, or empty. */
    static Optional<String> refusedHost(String host, boolean allowPrivate) {
        if (host == null || host.isBlank()) {
            return Optional.of("no host");
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.of("unknown host " + host);
        }
        for (InetAddress a : addresses) {
            if (a.isLoopbackAddress()
                    || a.isSiteLocalAddress()
                    || a.isLinkLocalAddress()
                    || a.isAnyLocalAddress()
                    || a.isMulticastAddress()
                    || uniqueLocal(a)) {
                return Optional.of(host + " is not a public address (" + a.getHostAddress() + ")");
            }
        }
        return Optional.empty();
    }

    /** IPv6 unique local addresses (fc00::/7), which Java does not count as site-local. */
    private static boolean uniqueLocal(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 16 && (b[0] & 0xfe) == 0xfc;
    }
}
