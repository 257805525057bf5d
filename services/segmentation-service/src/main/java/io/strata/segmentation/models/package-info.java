/**
 * Model audiences' mathematics, plain Java: customer summaries from purchases, BG/NBD and
 * Gamma-Gamma fitted by maximum likelihood, customer lifetime value. Formulas and reference numbers:
 * the domain guide ("Customer lifetime value").
 */
package io.strata.segmentation.models;
