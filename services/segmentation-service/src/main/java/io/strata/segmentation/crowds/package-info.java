/**
 * Strategic crowds and the reverse funnel, as plain Java without Quarkus: preference vectors and
 * their distances ({@link io.strata.segmentation.crowds.Preferences}), agglomerative clustering of
 * micro-groups ({@link io.strata.segmentation.crowds.Agglomerative}, {@link
 * io.strata.segmentation.crowds.Dendrogram}), the number of crowds ({@link
 * io.strata.segmentation.crowds.ClusterCount}), agreement with a known grouping ({@link
 * io.strata.segmentation.crowds.AdjustedRand}), look-alike expansion ({@link
 * io.strata.segmentation.crowds.Lookalike}) and referral spread ({@link
 * io.strata.segmentation.crowds.Referrals}).
 */
package io.strata.segmentation.crowds;
