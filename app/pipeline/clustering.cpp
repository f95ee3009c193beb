#include "clustering.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <unordered_map>

#include <QHash>

#include "neighbourindex.h"

namespace Accrete {

namespace {

// Union-find over item positions with path halving and union by size.
class DisjointSets
{
public:
    explicit DisjointSets(size_t count)
        : m_parent(count)
        , m_size(count, 1)
    {
        std::iota(m_parent.begin(), m_parent.end(), size_t(0));
    }

    size_t find(size_t x)
    {
        while (m_parent[x] != x) {
            m_parent[x] = m_parent[m_parent[x]];
            x = m_parent[x];
        }
        return x;
    }

    void unite(size_t a, size_t b)
    {
        a = find(a);
        b = find(b);
        if (a == b)
            return;
        if (m_size[a] < m_size[b])
            std::swap(a, b);
        m_parent[b] = a;
        m_size[a] += m_size[b];
    }

    size_t setSize(size_t x) { return m_size[find(x)]; }

private:
    std::vector<size_t> m_parent;
    std::vector<size_t> m_size;
};

} // namespace

Clustering::Clustering(const ClusteringSettings &settings)
    : m_settings(settings)
{
}

bool Clustering::isNearDuplicate(float similarity, int hammingDistance) const
{
    return similarity >= m_settings.duplicateSimilarity
        || hammingDistance <= m_settings.duplicateHammingDistance;
}

Clustering::Result Clustering::run(const std::vector<Item> &items, const NeighbourIndex &index) const
{
    Result result;
    const size_t count = items.size();
    result.items.resize(count);
    if (count == 0)
        return result;

    std::unordered_map<qint64, size_t> positionOf;
    positionOf.reserve(count);
    for (size_t i = 0; i < count; ++i)
        positionOf.emplace(items[i].id, i);

    DisjointSets clusters(count);
    DisjointSets duplicates(count);

    // Exact duplicates first: same content hash.
    QHash<QString, size_t> firstWithHash;
    for (size_t i = 0; i < count; ++i) {
        if (items[i].sha256.isEmpty())
            continue;
        const auto found = firstWithHash.constFind(items[i].sha256);
        if (found == firstWithHash.constEnd())
            firstWithHash.insert(items[i].sha256, i);
        else
            duplicates.unite(*found, i);
    }

    // kNN graph: cluster edges, near-duplicate pairs and the mean similarity per item.
    for (size_t i = 0; i < count; ++i) {
        const std::vector<float> vector = index.vector(items[i].id);
        const QList<NeighbourIndex::Neighbour> neighbours =
            index.search(vector, m_settings.neighbours, items[i].id);
        double similaritySum = 0;
        int similarityCount = 0;
        for (const NeighbourIndex::Neighbour &neighbour : neighbours) {
            const auto position = positionOf.find(neighbour.id);
            if (position == positionOf.end())
                continue;
            const size_t j = position->second;
            similaritySum += neighbour.similarity;
            ++similarityCount;
            if (neighbour.similarity >= m_settings.clusterSimilarity)
                clusters.unite(i, j);
            // A hash of 0 means "not computed" and matches nothing.
            const bool hashed = items[i].perceptualHash != 0 && items[j].perceptualHash != 0;
            const int hamming = hashed
                ? std::popcount(items[i].perceptualHash ^ items[j].perceptualHash)
                : 64;
            if (isNearDuplicate(neighbour.similarity, hamming)) {
                duplicates.unite(i, j);
                // Each pair is found from both ends; keep it once.
                if (items[i].id < items[j].id)
                    result.nearDuplicates.push_back(
                        { items[i].id, items[j].id, neighbour.similarity, hamming });
            }
        }
        // A lone item has nothing to be unlike: score 0.
        const double meanSimilarity = similarityCount > 0 ? similaritySum / similarityCount : 1.0;
        const double score = std::clamp(1.0 - meanSimilarity, 0.0, 1.0);
        result.items[i].id = items[i].id;
        result.items[i].outlierScore = score;
        if (score >= m_settings.outlierScore)
            ++result.outliers;
    }

    // Dense ids in order of first appearance, so reruns on the same data give the same ids.
    std::unordered_map<size_t, qint64> clusterIds;
    std::unordered_map<size_t, qint64> groupIds;
    for (size_t i = 0; i < count; ++i) {
        const size_t clusterRoot = clusters.find(i);
        auto cluster = clusterIds.try_emplace(clusterRoot, qint64(clusterIds.size())).first;
        result.items[i].clusterId = cluster->second;

        if (duplicates.setSize(i) > 1) {
            const size_t groupRoot = duplicates.find(i);
            auto group = groupIds.try_emplace(groupRoot, qint64(groupIds.size())).first;
            result.items[i].duplicateGroup = group->second;
        }
    }
    result.clusters = int(clusterIds.size());
    result.duplicateGroups = int(groupIds.size());
    return result;
}

} // namespace Accrete
