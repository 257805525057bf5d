package io.strata.demo;

import java.time.LocalDate;
import java.time.MonthDay;

/**
 * Who a consumer is: the attributes the strategic crowds are defined over, plus a name.
 *
 * @param cityTier 1 (一线) to 5 (五线)
 * @param incomeLevel 1 (lowest) to 5, a proxy from occupation and city
 */
record Person(
        String name,
        String pinyin,
        Gender gender,
        LocalDate birthday,
        String city,
        int cityTier,
        Occupation occupation,
        int incomeLevel,
        boolean married,
        int kids) {

    enum Gender {
        female,
        male
    }

    enum Occupation {
        student,
        white_collar,
        blue_collar,
        self_employed,
        civil_servant,
        freelancer,
        homemaker,
        retired
    }

    /** Whole years of age on a date. */
    int age(LocalDate on) {
        int age = on.getYear() - birthday.getYear();
        return MonthDay.from(on).isBefore(MonthDay.from(birthday)) ? age - 1 : age;
    }
}
