package dev.mapgate.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether a series of memory samples grows. Two readings of the part after warm-up (the second
 * half), both robust to a few samples taken mid-burst: the Theil-Sen slope, and the median of its
 * last quarter of samples against the median of its first.
 *
 * @param name    what was sampled, for messages
 * @param samples in time order
 */
record Trend(String name, List<Sample> samples) {

    /** One reading at {@code seconds} since the load started. */
    record Sample(double seconds, double value) {
    }

    /** The second half of the samples: what is left once pools, JIT and caches have warmed up. */
    Trend afterWarmUp() {
        return new Trend(name, samples.subList(samples.size() / 2, samples.size()));
    }

    /**
     * The Theil-Sen slope, in the samples' unit per minute: the median of the slopes between every
     * pair of samples. One sample caught mid-burst moves it hardly at all, where it can swing a
     * least-squares line over a short window.
     */
    double slopePerMinute() {
        requireTwo();
        List<Double> slopes = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            for (int j = i + 1; j < samples.size(); j++) {
                Sample a = samples.get(i);
                Sample b = samples.get(j);
                if (b.seconds() > a.seconds()) {
                    slopes.add((b.value() - a.value()) / (b.seconds() - a.seconds()));
                }
            }
        }
        return median(slopes.stream().mapToDouble(Double::doubleValue).toArray()) * 60;
    }

    /** The least-squares slope, in the samples' unit per minute; printed beside the robust one. */
    double leastSquaresSlopePerMinute() {
        requireTwo();
        double meanT = samples.stream().mapToDouble(Sample::seconds).average().orElseThrow();
        double meanV = samples.stream().mapToDouble(Sample::value).average().orElseThrow();
        double covariance = 0;
        double variance = 0;
        for (Sample s : samples) {
            covariance += (s.seconds() - meanT) * (s.value() - meanV);
            variance += (s.seconds() - meanT) * (s.seconds() - meanT);
        }
        return covariance / variance * 60;
    }

    /** Median of the last quarter of the samples minus the median of the first quarter. */
    double quarterMedianGrowth() {
        int quarter = Math.max(1, samples.size() / 4);
        return median(samples.subList(samples.size() - quarter, samples.size())) - median(samples.subList(0, quarter));
    }

    double first() {
        return samples.get(0).value();
    }

    double last() {
        return samples.get(samples.size() - 1).value();
    }

    double max() {
        return samples.stream().mapToDouble(Sample::value).max().orElseThrow();
    }

    /** From the first sample to the last, in seconds. */
    double seconds() {
        return samples.get(samples.size() - 1).seconds() - samples.get(0).seconds();
    }

    private void requireTwo() {
        if (samples.size() < 2) {
            throw new IllegalStateException(name + ": a trend needs two samples, not " + samples.size());
        }
    }

    private static double median(List<Sample> part) {
        return median(part.stream().mapToDouble(Sample::value).toArray());
    }

    private static double median(double[] unsorted) {
        double[] values = unsorted.clone();
        java.util.Arrays.sort(values);
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    @Override
    public String toString() {
        return name + " " + samples.stream().map(s -> String.format("%.1f", s.value()))
                .collect(Collectors.joining(" ", "[", "]"));
    }
}
