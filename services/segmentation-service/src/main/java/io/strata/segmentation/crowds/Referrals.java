package io.strata.segmentation.crowds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Word-of-mouth spread from {@code Invite Sent} and {@code Signed Up} with a referrer: who
 * brought whom, the chains from the advocates who started them and their depth, and the viral
 * coefficient K = invites sent per user × share of invites that convert (which is sign-ups
 * brought per user) of a cohort (the core crowd, a depth of the chains, a month's sign-ups), with
 * a 95 % interval.
 */
public final class Referrals {

    private Referrals() {}

    /** A sign-up; {@code referrer} null when nobody brought the profile. */
    public record SignUp(String profile, String referrer) {}

    /**
     * One cohort.
     *
     * @param users the cohort's members
     * @param inviters members that sent an invite or brought someone
     * @param invites invites the members sent
     * @param converted sign-ups the members brought
     * @param invitesPerUser invites / users
     * @param conversion converted / invites (NaN without invites)
     * @param k converted / users: invites per user × conversion when invites are counted
     * @param kLow the 95 % interval's low end (normal approximation of the mean per member)
     */
    public record Cohort(
            String cohort,
            int users,
            int inviters,
            long invites,
            long converted,
            double invitesPerUser,
            double conversion,
            double k,
            double kLow,
            double kHigh) {}

    /**
     * Who brought whom.
     *
     * @param referrerOf who brought each profile brought by someone
     * @param depth of each profile on a chain: 0 for one who invited or brought others and was
     *     not brought, those it brought 1, theirs 2…
     * @param byDepth how many profiles at each depth
     * @param unrooted profiles brought by someone but on no chain from a start (a loop in the data)
     * @param invitesSent invites sent per inviter
     */
    public record Chains(
            Map<String, String> referrerOf,
            Map<String, Integer> depth,
            List<Long> byDepth,
            int unrooted,
            Map<String, Long> invitesSent) {

        public int maxDepth() {
            return byDepth.size() - 1;
        }

        /** The profiles at one depth, as a cohort's members. */
        public List<String> atDepth(int d) {
            List<String> out = new ArrayList<>();
            depth.forEach((profile, at) -> {
                if (at == d) {
                    out.add(profile);
                }
            });
            return out;
        }

        /**
         * The viral coefficient of a cohort: K = invites per member × share of invites that
         * convert, which is sign-ups brought per member (members who invited nobody count, with
         * none).
         */
        public Cohort cohort(String name, Collection<String> members) {
            Set<String> distinct = new LinkedHashSet<>(members);
            if (distinct.isEmpty()) {
                throw new IllegalArgumentException("cohort " + name + " has no members");
            }
            Map<String, Long> brought = new HashMap<>();
            referrerOf.values().forEach(referrer -> brought.merge(referrer, 1L, Long::sum));
            int n = distinct.size();
            int inviters = 0;
            long invites = 0;
            long converted = 0;
            long[] perMember = new long[n];
            int m = 0;
            for (String member : distinct) {
                long sent = invitesSent.getOrDefault(member, 0L);
                long in = brought.getOrDefault(member, 0L);
                inviters += sent > 0 || in > 0 ? 1 : 0;
                invites += sent;
                converted += in;
                perMember[m++] = in;
            }
            double k = (double) converted / n;
            double variance = 0;
            for (long in : perMember) {
                variance += (in - k) * (in - k);
            }
            double se = n > 1 ? Math.sqrt(variance / (n - 1) / n) : Double.NaN;
            return new Cohort(
                    name,
                    n,
                    inviters,
                    invites,
                    converted,
                    (double) invites / n,
                    invites == 0 ? Double.NaN : (double) converted / invites,
                    k,
                    k - 1.96 * se,
                    k + 1.96 * se);
        }
    }

    /**
     * @param signUps the sign-ups (a profile signed up twice: the first one with a referrer counts)
     * @param invitesSent invites sent per inviter
     */
    public static Chains chains(List<SignUp> signUps, Map<String, Long> invitesSent) {
        Map<String, String> referrerOf = new LinkedHashMap<>();
        for (SignUp signUp : signUps) {
            String referrer = signUp.referrer();
            if (referrer != null && !referrer.isBlank() && !referrer.equals(signUp.profile())) {
                referrerOf.putIfAbsent(signUp.profile(), referrer);
            }
        }
        Map<String, List<String>> brought = new LinkedHashMap<>();
        referrerOf.forEach((profile, referrer) ->
                brought.computeIfAbsent(referrer, r -> new ArrayList<>()).add(profile));
        Map<String, Integer> depth = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        for (String referrer : brought.keySet()) {
            if (!referrerOf.containsKey(referrer)) {
                depth.put(referrer, 0);
                queue.add(referrer);
            }
        }
        for (String inviter : invitesSent.keySet()) {
            if (!referrerOf.containsKey(inviter) && !depth.containsKey(inviter)) {
                depth.put(inviter, 0);
            }
        }
        while (!queue.isEmpty()) {
            String referrer = queue.poll();
            for (String profile : brought.getOrDefault(referrer, List.of())) {
                if (!depth.containsKey(profile)) {
                    depth.put(profile, depth.get(referrer) + 1);
                    queue.add(profile);
                }
            }
        }
        int unrooted = 0;
        for (String profile : referrerOf.keySet()) {
            unrooted += depth.containsKey(profile) ? 0 : 1;
        }
        List<Long> byDepth = new ArrayList<>();
        for (int d : depth.values()) {
            while (byDepth.size() <= d) {
                byDepth.add(0L);
            }
            byDepth.set(d, byDepth.get(d) + 1);
        }
        return new Chains(referrerOf, depth, byDepth, unrooted, Map.copyOf(invitesSent));
    }

    /** The invites each inviter sent, from a list of inviters (one entry per invite). */
    public static Map<String, Long> count(List<String> inviters) {
        Map<String, Long> out = new HashMap<>();
        for (String inviter : inviters) {
            out.merge(inviter, 1L, Long::sum);
        }
        return out;
    }
}
