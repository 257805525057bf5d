package io.strata.segmentation.models;

import java.time.LocalDate;

/** One purchase of a customer: the day it was made on and what it was worth. */
public record Purchase(String customer, LocalDate day, double amount) {}
