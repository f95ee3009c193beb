#pragma once

#include <memory>
#include <span>
#include <vector>

#include <QList>
#include <QString>
#include <QtGlobal>

namespace Accrete {

// An approximate nearest-neighbour index (hnswlib HNSW graph) over L2-normalised embeddings,
// searched by inner product, so similarity = cosine similarity in [-1, 1]. Labels are the
// catalog's media ids. Capacity doubles when the index is full.
//
// Not thread-safe for writes: one dataset operation owns an index at a time. Concurrent
// search() calls are safe while nothing is added.
class NeighbourIndex
{
public:
    struct Neighbour
    {
        qint64 id = -1;
        float similarity = 0;
    };

    explicit NeighbourIndex(int dimension, qsizetype initialCapacity = 1024);
    ~NeighbourIndex();
    NeighbourIndex(const NeighbourIndex &) = delete;
    NeighbourIndex &operator=(const NeighbourIndex &) = delete;

    int dimension() const { return m_dimension; }
    qsizetype size() const;
    qsizetype capacity() const;
    bool contains(qint64 id) const;

    // Adds `vector` under `id`, normalising it first. Returns false (and leaves the index
    // unchanged) when the dimension does not match or the id is already present.
    bool add(qint64 id, std::span<const float> vector);

    // Returns up to `count` neighbours of `vector`, most similar first. `excludeId` is left
    // out of the result (pass the item's own id when searching for an indexed item).
    QList<Neighbour> search(std::span<const float> vector, int count, qint64 excludeId = -1) const;

    // Returns the stored (normalised) vector of `id`, or an empty vector when it is absent.
    std::vector<float> vector(qint64 id) const;

    // Writes the index to `path` through a temporary file and a rename, so a crash never
    // leaves a half-written index behind.
    bool save(const QString &path, QString *error) const;

    // Loads an index written by save(). Returns nullptr and sets `error` when the file is
    // missing, unreadable or of another dimension.
    static std::unique_ptr<NeighbourIndex> load(const QString &path, int dimension, QString *error);

    // Scales `vector` to unit length; a zero vector stays zero.
    static void normalise(std::vector<float> &vector);

private:
    struct Private;
    explicit NeighbourIndex(int dimension, std::unique_ptr<Private> d);

    int m_dimension;
    std::unique_ptr<Private> d;
};

} // namespace Accrete
