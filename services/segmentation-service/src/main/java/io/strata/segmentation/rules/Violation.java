package io.strata.segmentation.rules;

/**
 * What is wrong with a definition, and where: {@code path} names the place in the definition's
 * JSON ({@code all[2].value}, {@code any[0].not.where[1].property}).
 */
public record Violation(String path, String message) {

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
