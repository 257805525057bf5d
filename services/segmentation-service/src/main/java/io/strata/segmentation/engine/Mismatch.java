package io.strata.segmentation.engine;

/**
 * A value of another type than its field's (a trait that held a number and now holds text): it
 * exists, so {@code exists} holds and {@code missing} does not, but it meets no comparison.
 */
enum Mismatch {
    VALUE;

    @Override
    public String toString() {
        return "(a value of another type)";
    }
}
