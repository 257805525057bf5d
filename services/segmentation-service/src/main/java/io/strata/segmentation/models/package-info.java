/**
 * Model audiences' mathematics, plain Java without the service around it: RFM scores and groups,
 * lifecycle stages, the churn warning, AIPL stages with their flows and FAST, customer summaries
 * from purchases, BG/NBD and Gamma-Gamma fitted by maximum likelihood, customer lifetime value.
 * Definitions and defaults: {@code docs/models.md}; formulas and reference numbers: the domain
 * guide.
 */
package io.strata.segmentation.models;
