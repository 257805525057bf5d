package io.strata.segmentation.crowds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Word-of-mouth spread from {@code Invite Sent} and {@code Signed Up} with a referrer: who
 * brought whom, the chains from the advocates who started them and their depth, and the viral
 * coefficient K = invites sent per inviter × share of invites that convert (which is converted
 * sign-ups per inviter) per cohort of inviters, with a 95 % interval.
 */
public final class Referrals {

    private Referrals() {}

    /** A sign-up; {@code referrer} null when nobody brought the profile. */
    public record SignUp(String profile, String referrer) {}

    /**
     * One cohort of inviters.
     *
     * @param inviters profiles of the cohort that sent an invite or brought someone
     * @param invites invites they sent
     * @param converted sign-ups they brought
     * @param invitesPerInviter invites / inviters
     * @param conversion converted / invites (NaN without invites)
     * @param k converted / inviters: invites per inviter × conversion when invites are counted
     * @param kLow the 95 % interval's low end (normal approximation of the mean per inviter)
     */
    public record Cohort(
            String cohort,
            int inviters,
            long invites,
            long converted,
            double invitesPerInviter,
            double conversion,
            double k,
            double kLow,
            double kHigh) {}

    /**
     * The spread.
     *
     * @param referrerOf who brought each profile brought by someone
     * @param depth of each profile on a chain: 0 for one who invited or brought others and was
     *     not brought, those it brought 1, theirs 2…
     * @param byDepth how many profiles at each depth
     * @param unrooted profiles brought by someone but on no chain from a start (a loop in the data)
     */
    public record Spread(
            Map<String, String> referrerOf,
            Map<String, Integer> depth,
            List<Long> byDepth,
            int unrooted,
            List<Cohort> cohorts) {

        public int maxDepth() {
            return byDepth.size() - 1;
        }
    }

    /**
     * @param signUps the sign-ups (a profile signed up twice: the first one with a referrer counts)
     * @param invitesSent invites sent per inviter
     * @param cohortOf an inviter's cohort, given the spread's depths (e.g. "depth 0", a sign-up month)
     */
    public static Spread spread(
            List<SignUp> signUps, Map<String, Long> invitesSent, Function<Inviter, String> cohortOf) {
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
        // per inviter: invites sent and sign-ups brought
        Map<String, long[]> perInviter = new LinkedHashMap<>();
        invitesSent.forEach((inviter, count) -> perInviter.computeIfAbsent(inviter, i -> new long[2])[0] += count);
        brought.forEach(
                (referrer, profiles) -> perInviter.computeIfAbsent(referrer, i -> new long[2])[1] += profiles.size());
        Map<String, List<long[]>> byCohort = new TreeMap<>();
        perInviter.forEach((inviter, counts) -> {
            String cohort = cohortOf.apply(new Inviter(inviter, depth.getOrDefault(inviter, -1)));
            if (cohort != null) {
                byCohort.computeIfAbsent(cohort, c -> new ArrayList<>()).add(counts);
            }
        });
        List<Cohort> cohorts = new ArrayList<>();
        byCohort.forEach((cohort, inviters) -> cohorts.add(cohort(cohort, inviters)));
        return new Spread(referrerOf, depth, byDepth, unrooted, cohorts);
    }

    /** An inviter and its depth on the chains (−1 when on none). */
    public record Inviter(String profile, int depth) {}

    private static Cohort cohort(String name, List<long[]> inviters) {
        int n = inviters.size();
        long invites = 0;
        long converted = 0;
        for (long[] counts : inviters) {
            invites += counts[0];
            converted += counts[1];
        }
        double k = (double) converted / n;
        double variance = 0;
        for (long[] counts : inviters) {
            variance += (counts[1] - k) * (counts[1] - k);
        }
        double se = n > 1 ? Math.sqrt(variance / (n - 1) / n) : Double.NaN;
        return new Cohort(
                name,
                n,
                invites,
                converted,
                (double) invites / n,
                invites == 0 ? Double.NaN : (double) converted / invites,
                k,
                k - 1.96 * se,
                k + 1.96 * se);
    }

    /** Cohorts by depth on the chains: "depth 0" the advocates who started them. */
    public static String byDepth(Inviter inviter) {
        return inviter.depth() < 0 ? "unrooted" : "depth " + inviter.depth();
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
