#include "mediagridmodel.h"

#include <utility>

#include <QFutureWatcher>
#include <QLocale>
#include <QTimer>

#include "core/datasetservice.h"
#include "core/logging.h"
#include "core/serviceerror.h"

namespace Accrete {

MediaGridModel::MediaGridModel(DatasetService *service, const QString &datasetId, QObject *parent)
    : QAbstractListModel(parent)
    , m_service(service)
    , m_datasetId(datasetId)
    , m_thumbnails(kThumbnailCacheBytes / 1024) // cost unit: KiB
{
    connect(service, &DatasetService::mediaAdded, this, &MediaGridModel::onMediaAdded);
    connect(service, &DatasetService::mediaChanged, this, &MediaGridModel::onMediaChanged);
}

void MediaGridModel::setSort(MediaSort sort)
{
    if (m_sort == sort)
        return;
    m_sort = sort;
    reload();
}

void MediaGridModel::setThumbnailSize(const QSize &size)
{
    if (m_thumbnailSize == size)
        return;
    m_thumbnailSize = size;
    m_thumbnails.clear();
    if (!m_items.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_items.size()) - 1), { Qt::DecorationRole });
}

MediaItem MediaGridModel::itemAt(int row) const
{
    return m_items.value(row);
}

void MediaGridModel::reload()
{
    beginResetModel();
    ++m_generation;
    m_items.clear();
    m_appendedIds.clear();
    m_rowById.clear();
    m_serverOffset = 0;
    m_total = 0;
    m_totalKnown = false;
    m_fetching = false;
    m_queue.clear();
    m_queuedIds.clear();
    m_failed.clear();
    endResetModel();
    // Views call fetchMore when they show an empty model, but a model without a view loads too.
    fetchMore(QModelIndex());
}

int MediaGridModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant MediaGridModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const MediaItem &item = m_items.at(index.row());

    switch (role) {
    case Qt::DisplayRole:
        return item.fileName;
    case Qt::ToolTipRole: {
        QStringList lines{ item.relativePath.isEmpty() ? item.fileName : item.relativePath };
        if (item.width > 0)
            lines << tr("%1 × %2 pixels").arg(item.width).arg(item.height);
        lines << QLocale().formattedDataSize(item.size);
        if (!item.clustered)
            lines << tr("Not clustered yet: added after the last full index");
        else if (item.clusterId >= 0)
            lines << tr("Cluster %1").arg(item.clusterId);
        if (item.duplicateGroup >= 0)
            lines << tr("Duplicate group %1").arg(item.duplicateGroup);
        else if (!item.duplicateOf.isEmpty())
            lines << tr("Duplicate of an existing item");
        if (item.clustered)
            lines << tr("Outlier score %1").arg(item.outlierScore, 0, 'f', 2);
        return lines.join(QLatin1Char('\n'));
    }
    case Qt::AccessibleTextRole:
        return item.fileName;
    case Qt::DecorationRole:
        if (const QImage *image = m_thumbnails.object(item.id))
            return *image;
        if (!m_failed.contains(item.id))
            requestThumbnail(item);
        return QVariant();
    case ItemRole:
        return QVariant::fromValue(item);
    case ClusteredRole:
        return item.clustered;
    case DuplicateRole:
        return item.duplicateGroup >= 0 || !item.duplicateOf.isEmpty();
    case OutlierScoreRole:
        return item.outlierScore;
    case ThumbnailLoadedRole:
        return m_thumbnails.contains(item.id);
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> MediaGridModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(ItemRole, "item");
    names.insert(ClusteredRole, "clustered");
    names.insert(DuplicateRole, "duplicate");
    names.insert(OutlierScoreRole, "outlierScore");
    names.insert(ThumbnailLoadedRole, "thumbnailLoaded");
    return names;
}

bool MediaGridModel::canFetchMore(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_service)
        return false;
    return !m_totalKnown || m_serverOffset < m_total;
}

void MediaGridModel::fetchMore(const QModelIndex &parent)
{
    if (m_fetching || !canFetchMore(parent))
        return;
    m_fetching = true;
    // Views call fetchMore while they handle a model signal, and a backend may return a
    // finished future whose continuation runs at once. The request starts from the event
    // loop, so rows are never inserted inside another change of this model.
    if (!std::exchange(m_pageRequestScheduled, true))
        QMetaObject::invokeMethod(this, &MediaGridModel::requestNextPage, Qt::QueuedConnection);
}

void MediaGridModel::requestNextPage()
{
    m_pageRequestScheduled = false;
    if (!m_service) {
        m_fetching = false;
        return;
    }
    MediaQuery query;
    query.datasetId = m_datasetId;
    query.offset = m_serverOffset;
    query.limit = m_pageSize;
    query.sort = m_sort;
    const quint64 generation = m_generation;
    qCDebug(lcUi) << "loading media of dataset" << m_datasetId << "from offset" << query.offset;

    m_service->media(query)
        .then(this, [this, generation](const MediaPage &page) { onPageLoaded(generation, page); })
        .onFailed(this, [this, generation](const ServiceError &error) {
            if (generation != m_generation)
                return;
            m_fetching = false;
            qCWarning(lcUi) << "loading media of dataset" << m_datasetId
                            << "failed:" << error.toString();
            Q_EMIT loadFailed(error.toString());
        });
}

void MediaGridModel::onPageLoaded(quint64 generation, const MediaPage &page)
{
    if (generation != m_generation)
        return;
    m_fetching = false;
    m_total = page.total;
    m_totalKnown = true;
    m_serverOffset = page.offset + int(page.items.size());
    // A short page means the service has no more rows, whatever total it reported.
    if (page.items.isEmpty())
        m_total = m_serverOffset;

    QList<MediaItem> fresh;
    fresh.reserve(page.items.size());
    for (const MediaItem &item : page.items) {
        // A page can repeat items that mediaAdded appended before the page was read.
        if (!m_appendedIds.contains(item.id) && rowOf(item.id) < 0)
            fresh.append(item);
    }
    if (!fresh.isEmpty()) {
        // Paged rows go before the tail appended from mediaAdded.
        const int first = int(m_items.size() - m_appendedIds.size());
        beginInsertRows(QModelIndex(), first, first + int(fresh.size()) - 1);
        for (int i = 0; i < fresh.size(); ++i)
            m_items.insert(first + i, fresh.at(i));
        m_rowById.clear();
        endInsertRows();
    }
    Q_EMIT pageLoaded();
}

void MediaGridModel::onMediaAdded(const QString &datasetId, const QList<MediaItem> &items)
{
    if (datasetId != m_datasetId || items.isEmpty())
        return;
    QList<MediaItem> fresh;
    for (const MediaItem &item : items) {
        if (rowOf(item.id) < 0)
            fresh.append(item);
    }
    if (fresh.isEmpty())
        return;

    const int first = int(m_items.size());
    beginInsertRows(QModelIndex(), first, first + int(fresh.size()) - 1);
    for (const MediaItem &item : fresh) {
        m_items.append(item);
        m_appendedIds.insert(item.id);
    }
    m_rowById.clear();
    endInsertRows();
    if (m_totalKnown) {
        // With every page loaded, the model now has every item the service has. Otherwise
        // the remaining pages still come, and skip the appended items.
        const bool allPagesLoaded = m_serverOffset >= m_total;
        m_total += int(fresh.size());
        if (allPagesLoaded)
            m_serverOffset = m_total;
    }
}

void MediaGridModel::onMediaChanged(const QString &datasetId)
{
    if (datasetId == m_datasetId)
        reload();
}

int MediaGridModel::rowOf(const QString &itemId) const
{
    if (m_rowById.isEmpty() && !m_items.isEmpty()) {
        auto &rows = const_cast<QHash<QString, int> &>(m_rowById);
        rows.reserve(m_items.size());
        for (int row = 0; row < m_items.size(); ++row)
            rows.insert(m_items.at(row).id, row);
    }
    return m_rowById.value(itemId, -1);
}

void MediaGridModel::requestThumbnail(const MediaItem &item) const
{
    if (m_running.contains(item.id))
        return;
    if (m_queuedIds.contains(item.id)) {
        // Requested again because the row is visible now, so it moves to the front of the line.
        for (qsizetype i = 0; i < m_queue.size(); ++i) {
            if (m_queue.at(i).id == item.id) {
                m_queue.move(i, m_queue.size() - 1);
                break;
            }
        }
        return;
    }
    m_queue.append(item);
    m_queuedIds.insert(item.id);
    while (m_queue.size() > kMaxQueuedThumbnails)
        m_queuedIds.remove(m_queue.takeFirst().id);
    // data() runs while the view paints, so the requests start from the event loop.
    QTimer::singleShot(0, const_cast<MediaGridModel *>(this), &MediaGridModel::startQueuedThumbnails);
}

void MediaGridModel::startQueuedThumbnails()
{
    if (!m_service)
        return;
    while (m_running.size() < kMaxThumbnailRequests && !m_queue.isEmpty()) {
        const MediaItem item = m_queue.takeLast();
        m_queuedIds.remove(item.id);
        if (m_thumbnails.contains(item.id))
            continue;
        m_running.insert(item.id);
        const QString itemId = item.id;
        m_service->thumbnail(item, m_thumbnailSize)
            .then(this, [this, itemId](const QImage &image) { onThumbnailLoaded(itemId, image); })
            .onFailed(this, [this, itemId](const ServiceError &error) {
                qCWarning(lcUi) << "thumbnail of item" << itemId << "in dataset" << m_datasetId
                                << "failed:" << error.toString();
                onThumbnailFailed(itemId);
            })
            .onFailed(this, [this, itemId] { onThumbnailFailed(itemId); });
    }
}

void MediaGridModel::onThumbnailLoaded(const QString &itemId, const QImage &image)
{
    m_running.remove(itemId);
    if (image.isNull()) {
        m_failed.insert(itemId);
    } else {
        const int cost = qMax(1, int(image.sizeInBytes() / 1024));
        m_thumbnails.insert(itemId, new QImage(image), cost);
    }
    const int row = rowOf(itemId);
    if (row >= 0) {
        Q_EMIT dataChanged(index(row), index(row), { Qt::DecorationRole, ThumbnailLoadedRole });
        Q_EMIT thumbnailLoaded(row);
    }
    startQueuedThumbnails();
    if (pendingThumbnailCount() == 0)
        Q_EMIT thumbnailsIdle();
}

void MediaGridModel::onThumbnailFailed(const QString &itemId)
{
    m_running.remove(itemId);
    m_failed.insert(itemId);
    startQueuedThumbnails();
    if (pendingThumbnailCount() == 0)
        Q_EMIT thumbnailsIdle();
}

} // namespace Accrete
