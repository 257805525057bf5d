package io.strata.campaign.delivery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OptOutRepliesTest {

    @Test
    void theCarriersInstructionsOptOutOfSms() {
        for (String reply :
                new String[] {"T", "td", " TD ", "R", "退订", "退订。", "回T退订", "Ｔ", "ＴＤ!", "stop", "Unsubscribe"}) {
            assertTrue(OptOutReplies.optsOut("sms", reply), reply);
        }
    }

    @Test
    void otherRepliesAndOtherChannelsAreNotInstructions() {
        for (String reply : new String[] {"", "Thanks", "TDD", "不要退订", "R2", "T D", "好的"}) {
            assertFalse(OptOutReplies.optsOut("sms", reply), reply);
        }
        assertFalse(OptOutReplies.optsOut("email", "T"));
        assertFalse(OptOutReplies.optsOut("sms", null));
    }
}
