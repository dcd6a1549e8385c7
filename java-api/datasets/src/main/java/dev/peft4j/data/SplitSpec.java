package dev.peft4j.data;

/**
 * How many examples go to train, validation and test, as fractions of the dataset or as counts.
 * For fractions {@code f} of {@code n} examples: {@code train = floor(f_train·n)},
 * {@code validation = floor(f_val·n)}, {@code test = floor(f_test·n)}, except that when the fractions sum
 * to 1 the test part takes all the rest, so no example is lost to rounding. For counts the numbers are
 * taken as given and must not exceed {@code n} in total; examples beyond them are left out (a subset).
 */
public sealed interface SplitSpec {

    /** The sizes of the three parts for a dataset of {@code n} examples. */
    int[] sizes(int n);

    /** Fractions in [0, 1] with a sum of at most 1. */
    static SplitSpec fractions(double train, double validation, double test) {
        return new Fractions(train, validation, test);
    }

    /** Exact counts, for example {@code counts(4000, 0, 1000)}. */
    static SplitSpec counts(int train, int validation, int test) {
        return new Counts(train, validation, test);
    }

    record Fractions(double train, double validation, double test) implements SplitSpec {
        public Fractions {
            check("train", train);
            check("validation", validation);
            check("test", test);
            double sum = train + validation + test;
            if (sum > 1 + 1e-9) {
                throw new IllegalArgumentException("split fractions train=" + train + " validation=" + validation
                        + " test=" + test + " sum to " + sum + " > 1");
            }
        }

        private static void check(String part, double f) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("split fraction " + part + " must be in [0, 1], got " + f);
            }
        }

        @Override
        public int[] sizes(int n) {
            int nTrain = (int) Math.floor(train * n);
            int nVal = (int) Math.floor(validation * n);
            boolean whole = Math.abs(train + validation + test - 1) <= 1e-9;
            int nTest = whole ? n - nTrain - nVal : (int) Math.floor(test * n);
            return new int[] {nTrain, nVal, nTest};
        }
    }

    record Counts(int train, int validation, int test) implements SplitSpec {
        public Counts {
            if (train < 0 || validation < 0 || test < 0) {
                throw new IllegalArgumentException("split counts must be >= 0, got train=" + train
                        + " validation=" + validation + " test=" + test);
            }
        }

        @Override
        public int[] sizes(int n) {
            long total = (long) train + validation + test;
            if (total > n) {
                throw new IllegalArgumentException("split counts train=" + train + " validation=" + validation
                        + " test=" + test + " need " + total + " examples but the dataset has " + n);
            }
            return new int[] {train, validation, test};
        }
    }
}
