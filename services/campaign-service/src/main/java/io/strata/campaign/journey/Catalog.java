package io.strata.campaign.journey;

import java.util.Optional;

/** What a journey may refer to: the tenant's audiences, channels, senders and message templates. */
public interface Catalog {

    /** Every reference is known: for versions checked when they were published, and for reading a structure. */
    Catalog ANY = new Catalog() {
        public boolean audience(String key) {
            return true;
        }

        public boolean channel(String channel) {
            return true;
        }

        public boolean sender(String channel, String sender) {
            return true;
        }

        public Optional<Template> template(String channel, String template) {
            return Optional.of(new Template(true, true));
        }
    };

    boolean audience(String key);

    boolean channel(String channel);

    /** An approved sender (SMS signature, app, official account) of the channel. */
    boolean sender(String channel, String sender);

    Optional<Template> template(String channel, String template);

    /**
     * A message template: whether the provider approved it and whether its text carries an opt-out
     * instruction (marketing SMS must, e.g. "回T退订").
     */
    record Template(boolean approved, boolean optOutInstruction) {}
}
