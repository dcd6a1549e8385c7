package dev.peft4j.train;

/** Classification metrics over a labelled set: mean loss, accuracy and macro-averaged F1. */
public record Metrics(double loss, double accuracy, double macroF1, int count) {

    /** From per-example predictions and labels over {@code classes} classes, and the summed loss. */
    public static Metrics of(int[] predicted, int[] labels, int classes, double lossSum) {
        int n = labels.length;
        long[] tp = new long[classes];
        long[] fp = new long[classes];
        long[] fn = new long[classes];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (predicted[i] == labels[i]) {
                correct++;
                tp[labels[i]]++;
            } else {
                fp[predicted[i]]++;
                fn[labels[i]]++;
            }
        }
        double f1 = 0;
        for (int c = 0; c < classes; c++) {
            double denom = 2.0 * tp[c] + fp[c] + fn[c];
            f1 += denom == 0 ? 0 : 2.0 * tp[c] / denom;
        }
        return new Metrics(n == 0 ? Double.NaN : lossSum / n, n == 0 ? Double.NaN : (double) correct / n, f1 / classes, n);
    }
}
