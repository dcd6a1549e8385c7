package dev.peft4j.text;

/**
 * Same-label retrieval over a labelled set of embeddings, each text queried against all the others:
 * {@code knnAccuracy} is the fraction of queries whose k nearest neighbours' majority label is the query's own, and
 * {@code meanReciprocalRank} the mean over queries of 1/rank of the first neighbour with the query's label (0 when
 * none has it). See {@link RetrievalEvaluation}.
 */
public record RetrievalMetrics(int queries, int k, double knnAccuracy, double meanReciprocalRank) {}
