package io.strata.segmentation.models;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Customers' summaries from their purchases, as the papers summarise them: purchases of a customer
 * on the same day are one transaction (their amounts added up), only purchases up to the end of the
 * calibration count (that day included), {@code x} counts the repeat transactions, and times are
 * measured in days divided by the unit's length. A customer whose first purchase is after the end
 * of the calibration is not summarised.
 */
public final class Summaries {

    private Summaries() {}

    /**
     * @param calibrationEnd the last day of the calibration period
     * @param daysPerUnit 7 for weeks
     */
    public static List<CustomerSummary> of(Iterable<Purchase> purchases, LocalDate calibrationEnd, double daysPerUnit) {
        if (!(daysPerUnit > 0)) {
            throw new IllegalArgumentException("daysPerUnit must be positive, was " + daysPerUnit);
        }
        Map<String, TreeMap<LocalDate, Double>> days = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (Purchase purchase : purchases) {
            if (purchase.day().isAfter(calibrationEnd)) {
                continue;
            }
            TreeMap<LocalDate, Double> customer = days.get(purchase.customer());
            if (customer == null) {
                customer = new TreeMap<>();
                days.put(purchase.customer(), customer);
                order.add(purchase.customer());
            }
            customer.merge(purchase.day(), purchase.amount(), Double::sum);
        }
        List<CustomerSummary> out = new ArrayList<>(order.size());
        for (String id : order) {
            TreeMap<LocalDate, Double> customer = days.get(id);
            LocalDate first = customer.firstKey();
            int x = customer.size() - 1;
            double repeatValue = 0;
            for (var day : customer.tailMap(first, false).values()) {
                repeatValue += day;
            }
            out.add(new CustomerSummary(
                    id,
                    x,
                    ChronoUnit.DAYS.between(first, customer.lastKey()) / daysPerUnit,
                    ChronoUnit.DAYS.between(first, calibrationEnd) / daysPerUnit,
                    x == 0 ? 0 : repeatValue / x));
        }
        return out;
    }
}
