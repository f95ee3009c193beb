#pragma once

namespace Accrete {

// Thresholds of the neighbour graph, clusters, duplicates and outliers. Similarities are
// cosine similarities of L2-normalised embeddings, in [-1, 1].
struct ClusteringSettings
{
    // Neighbours searched per item when building the kNN graph.
    int neighbours = 10;
    // Two items whose similarity is at least this are joined into one cluster (connected
    // components of these kNN edges). Every item belongs to exactly one cluster, a lone
    // item to a cluster of its own.
    float clusterSimilarity = 0.80f;
    // Two items at least this similar are near-duplicates.
    float duplicateSimilarity = 0.97f;
    // Two items whose 64-bit perceptual hashes differ in at most this many bits are
    // near-duplicates as well.
    int duplicateHammingDistance = 4;
    // Items whose outlier score (1 - mean similarity to their neighbours, clamped to
    // [0, 1]) is at least this count as outliers.
    float outlierScore = 0.5f;
};

} // namespace Accrete
