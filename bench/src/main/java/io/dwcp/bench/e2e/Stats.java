package io.dwcp.bench.e2e;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Median, min and max of a sample; the machine is noisy, so the report quotes medians. */
record Stats(int n, double median, double min, double max) {

    /** Null when no value is present (nulls in the list are skipped: a tool that does not report it). */
    static Stats of(List<Double> values) {
        double[] v = values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return null;
        }
        int mid = v.length / 2;
        double median = v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
        return new Stats(v.length, median, v[0], v[v.length - 1]);
    }

    static Double median(List<Double> values) {
        Stats s = of(values);
        return s == null ? null : s.median();
    }

    static Double ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : a / b;
    }

    @Override
    public String toString() {
        return "Stats" + Arrays.asList(n, median, min, max);
    }
}
