package io.strata.campaign.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DestinationsTest {

    @Test
    void loopbackPrivateLinkLocalAndUniqueLocalAddressesAreRefused() {
        for (String host : new String[] {
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.9",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fd12:3456::1",
            "fe80::1",
            "localhost"
        }) {
            assertTrue(Destinations.refusedHost(host, false).isPresent(), host);
        }
    }

    @Test
    void publicAddressesPassAndAPrivateNetworkMayBeAllowed() {
        assertEquals(Optional.empty(), Destinations.refusedHost("8.8.8.8", false));
        assertEquals(Optional.empty(), Destinations.refusedHost("2001:4860:4860::8888", false));
        assertEquals(Optional.empty(), Destinations.refusedHost("127.0.0.1", true));
    }
}
