package io.strata.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PopulationTest {

    private final TimeFrame time = new TimeFrame(DemoGenerator.DEFAULT_REFERENCE, 12);

    @Test
    void identifiersNeverCollide() {
        Population population = new Population(99, 30_000, time);
        Set<String> users = new HashSet<>();
        Set<String> phones = new HashSet<>();
        Set<String> emails = new HashSet<>();
        Set<String> members = new HashSet<>();
        Set<String> anonymous = new HashSet<>();
        for (long i = 0; i < 30_000; i++) {
            assertTrue(users.add(population.userId(i)));
            Identifiers ids = Identifiers.of(99, i, population.profile(i).person());
            if (!ids.junkPhone()) {
                assertTrue(phones.add(ids.phone()), ids.phone());
                assertTrue(ids.phone().matches("1[3-9]\\d{9}"), ids.phone());
            }
            if (!ids.junkEmail()) {
                assertTrue(emails.add(ids.email()), ids.email());
            }
            if (ids.memberId() != null) {
                assertTrue(members.add(ids.memberId()));
            }
            ids.devices().forEach(d -> assertTrue(anonymous.add(d.anonymousId())));
        }
    }

    @Test
    void invitedConsumersLeadBackToCoreAdvocates() {
        Population population = new Population(5, 3000, time);
        int invited = 0;
        for (long i = 0; i < 3000; i++) {
            Population.Profile p = population.profile(i);
            assertTrue(p.firstSeen() >= time.start() && p.signedIn() < time.end());
            if (p.depth() > 0) {
                invited++;
                Population.Profile referrer = population.profile(p.referrer());
                assertEquals(p.depth() - 1, referrer.depth());
                assertTrue(referrer.signedIn() <= p.invitedAt() && p.invitedAt() <= p.firstSeen());
                Population.Profile root = referrer.depth() == 0 ? referrer : population.profile(referrer.referrer());
                assertTrue(root.core());
            }
        }
        assertTrue(invited > 250, "invited: " + invited);
    }
}
