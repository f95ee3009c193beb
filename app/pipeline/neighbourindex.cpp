#include "neighbourindex.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <hnswlib/hnswlib.h>

#include <QFile>
#include <QFileInfo>

namespace Accrete {

namespace {

// HNSW graph parameters: M links per node and the candidate list sizes while building and
// searching. These are hnswlib's usual defaults and favour recall over build speed.
constexpr size_t graphLinks = 16;
constexpr size_t buildCandidates = 200;
constexpr size_t searchCandidates = 64;

} // namespace

struct NeighbourIndex::Private
{
    std::unique_ptr<hnswlib::InnerProductSpace> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

NeighbourIndex::NeighbourIndex(int dimension, qsizetype initialCapacity)
    : m_dimension(dimension)
    , d(std::make_unique<Private>())
{
    d->space = std::make_unique<hnswlib::InnerProductSpace>(size_t(dimension));
    d->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        d->space.get(), size_t(std::max<qsizetype>(initialCapacity, 16)), graphLinks,
        buildCandidates);
    d->graph->setEf(searchCandidates);
}

NeighbourIndex::NeighbourIndex(int dimension, std::unique_ptr<Private> loaded)
    : m_dimension(dimension)
    , d(std::move(loaded))
{
}

NeighbourIndex::~NeighbourIndex() = default;

qsizetype NeighbourIndex::size() const
{
    return qsizetype(d->graph->cur_element_count);
}

qsizetype NeighbourIndex::capacity() const
{
    return qsizetype(d->graph->max_elements_);
}

bool NeighbourIndex::contains(qint64 id) const
{
    return d->graph->label_lookup_.count(hnswlib::labeltype(id)) > 0;
}

bool NeighbourIndex::add(qint64 id, std::span<const float> vector)
{
    if (int(vector.size()) != m_dimension || id < 0 || contains(id))
        return false;
    std::vector<float> normalised(vector.begin(), vector.end());
    normalise(normalised);
    if (d->graph->cur_element_count >= d->graph->max_elements_)
        d->graph->resizeIndex(d->graph->max_elements_ * 2);
    d->graph->addPoint(normalised.data(), hnswlib::labeltype(id));
    return true;
}

QList<NeighbourIndex::Neighbour> NeighbourIndex::search(std::span<const float> vector, int count,
                                                        qint64 excludeId) const
{
    QList<Neighbour> result;
    if (int(vector.size()) != m_dimension || count <= 0 || size() == 0)
        return result;
    std::vector<float> query(vector.begin(), vector.end());
    normalise(query);
    // One extra so that the excluded item does not cost a neighbour.
    const size_t wanted = size_t(count) + (excludeId >= 0 ? 1 : 0);
    auto queue = d->graph->searchKnn(query.data(), wanted);
    // The queue pops the largest distance first; distance = 1 - inner product.
    result.reserve(qsizetype(queue.size()));
    while (!queue.empty()) {
        const auto [distance, label] = queue.top();
        queue.pop();
        if (qint64(label) != excludeId)
            result.prepend({ qint64(label), 1.0f - distance });
    }
    if (result.size() > count)
        result.resize(count);
    return result;
}

std::vector<float> NeighbourIndex::vector(qint64 id) const
{
    if (!contains(id))
        return {};
    return d->graph->getDataByLabel<float>(hnswlib::labeltype(id));
}

bool NeighbourIndex::save(const QString &path, QString *error) const
{
    const QString temporary = path + QStringLiteral(".tmp");
    const QByteArray temporaryName = QFile::encodeName(temporary);
    try {
        d->graph->saveIndex(temporaryName.toStdString());
    } catch (const std::exception &exception) {
        if (error)
            *error = QStringLiteral("writing %1 failed: %2")
                         .arg(temporary, QString::fromLocal8Bit(exception.what()));
        QFile::remove(temporary);
        return false;
    }
    // rename(2) replaces the old index atomically; QFile::rename refuses an existing target.
    if (std::rename(temporaryName.constData(), QFile::encodeName(path).constData()) != 0) {
        if (error)
            *error = QStringLiteral("renaming %1 to %2 failed").arg(temporary, path);
        QFile::remove(temporary);
        return false;
    }
    return true;
}

std::unique_ptr<NeighbourIndex> NeighbourIndex::load(const QString &path, int dimension,
                                                     QString *error)
{
    if (!QFileInfo::exists(path)) {
        if (error)
            *error = QStringLiteral("%1 does not exist").arg(path);
        return nullptr;
    }
    auto loaded = std::make_unique<Private>();
    loaded->space = std::make_unique<hnswlib::InnerProductSpace>(size_t(dimension));
    try {
        loaded->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
            loaded->space.get(), QFile::encodeName(path).toStdString());
    } catch (const std::exception &exception) {
        if (error)
            *error = QStringLiteral("reading %1 failed: %2")
                         .arg(path, QString::fromLocal8Bit(exception.what()));
        return nullptr;
    }
    // The file stores each element as links, vector, label; the vector's size in bytes is
    // the gap between the vector and label offsets. A mismatch means another model.
    const size_t storedVectorBytes = loaded->graph->label_offset_ - loaded->graph->offsetData_;
    if (storedVectorBytes != size_t(dimension) * sizeof(float)) {
        if (error)
            *error = QStringLiteral("%1 holds vectors of another dimension").arg(path);
        return nullptr;
    }
    loaded->graph->setEf(searchCandidates);
    return std::unique_ptr<NeighbourIndex>(new NeighbourIndex(dimension, std::move(loaded)));
}

void NeighbourIndex::normalise(std::vector<float> &vector)
{
    double sum = 0;
    for (float value : vector)
        sum += double(value) * double(value);
    if (sum <= 0)
        return;
    const float scale = float(1.0 / std::sqrt(sum));
    for (float &value : vector)
        value *= scale;
}

} // namespace Accrete
