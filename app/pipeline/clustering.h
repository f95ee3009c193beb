#pragma once

#include <vector>

#include <QString>
#include <QtGlobal>

#include "clusteringsettings.h"

namespace Accrete {

class NeighbourIndex;

// Clusters, duplicate groups, near-duplicate pairs and outlier scores of a whole dataset,
// computed from its neighbour index. Pure computation on the calling thread.
class Clustering
{
public:
    // One item of the dataset; its embedding is read from the index under `id`.
    struct Item
    {
        qint64 id = -1;
        QString sha256;
        quint64 perceptualHash = 0;
    };

    struct ItemResult
    {
        qint64 id = -1;
        qint64 clusterId = -1;
        qint64 duplicateGroup = -1; // -1: the item has no duplicate
        double outlierScore = 0;
    };

    struct NearDuplicatePair
    {
        qint64 first = -1;  // the smaller id
        qint64 second = -1;
        float similarity = 0;
        int hammingDistance = 64;
    };

    struct Result
    {
        std::vector<ItemResult> items; // in the order of the input
        std::vector<NearDuplicatePair> nearDuplicates;
        int clusters = 0;
        int duplicateGroups = 0;
        int outliers = 0;
    };

    explicit Clustering(const ClusteringSettings &settings);

    // Computes the result for `items`, which must all be in `index`. Exact duplicates
    // (same sha256) always share a duplicate group, whether or not the index finds them.
    Result run(const std::vector<Item> &items, const NeighbourIndex &index) const;

    // True when two items count as near-duplicates under these settings.
    bool isNearDuplicate(float similarity, int hammingDistance) const;

private:
    ClusteringSettings m_settings;
};

} // namespace Accrete
