#pragma once

#include <QAbstractListModel>
#include <QCache>
#include <QHash>
#include <QImage>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QSize>

#include "core/mediaitem.h"

namespace Accrete {

class DatasetService;

// The media of one dataset for a grid view, paged through DatasetService::media so that a
// dataset of any size stays responsive. Rows arrive page by page through canFetchMore and
// fetchMore, and thumbnails are requested only for the rows a view paints.
//
// Thumbnails live in a QCache bounded in bytes; while one loads, DecorationRole is empty and
// the delegate paints a placeholder. At most kMaxThumbnailRequests requests run at once and
// at most kMaxQueuedThumbnails wait; the oldest waiting ones are dropped first, because the
// view has scrolled past them and will ask again if they come back into sight.
//
// Items of `mediaAdded` are appended at once; `mediaChanged` reloads from the first page.
class MediaGridModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MediaGridModel)

public:
    enum Role {
        ItemRole = Qt::UserRole + 1, // MediaItem
        ClusteredRole,               // bool
        DuplicateRole,               // bool: in a duplicate group or a duplicate of an item
        OutlierScoreRole,            // double
        ThumbnailLoadedRole,         // bool
    };

    static constexpr int kDefaultPageSize = 500;
    static constexpr int kMaxThumbnailRequests = 6;
    static constexpr int kMaxQueuedThumbnails = 200;
    static constexpr qint64 kThumbnailCacheBytes = 96LL * 1024 * 1024;

    MediaGridModel(DatasetService *service, const QString &datasetId, QObject *parent = nullptr);

    QString datasetId() const { return m_datasetId; }
    MediaSort sort() const { return m_sort; }
    void setSort(MediaSort sort);
    int pageSize() const { return m_pageSize; }
    // Items per DatasetService::media request; applies from the next page on.
    void setPageSize(int pageSize) { m_pageSize = qMax(1, pageSize); }
    QSize thumbnailSize() const { return m_thumbnailSize; }
    void setThumbnailSize(const QSize &size);

    // Items in the dataset as the service last reported it. rowCount() is the loaded part.
    int totalCount() const { return m_total; }
    // Thumbnail requests running or waiting.
    int pendingThumbnailCount() const { return int(m_running.size() + m_queue.size()); }
    MediaItem itemAt(int row) const;

    // Drops every row and loads the first page again.
    void reload();

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    void pageLoaded();
    void thumbnailLoaded(int row);
    // No thumbnail request is running or waiting.
    void thumbnailsIdle();
    void loadFailed(const QString &message);

private:
    void onMediaAdded(const QString &datasetId, const QList<Accrete::MediaItem> &items);
    void onMediaChanged(const QString &datasetId);
    void requestNextPage();
    void onPageLoaded(quint64 generation, const MediaPage &page);
    void requestThumbnail(const MediaItem &item) const;
    void startQueuedThumbnails();
    void onThumbnailLoaded(const QString &itemId, const QImage &image);
    void onThumbnailFailed(const QString &itemId);
    int rowOf(const QString &itemId) const;

    QPointer<DatasetService> m_service;
    QString m_datasetId;
    MediaSort m_sort = MediaSort::Added;
    QSize m_thumbnailSize = QSize(160, 160);
    int m_pageSize = kDefaultPageSize;

    QList<MediaItem> m_items;          // paged rows first, then items appended from mediaAdded
    QSet<QString> m_appendedIds;       // ids of the appended tail, skipped when a page repeats them
    QHash<QString, int> m_rowById;     // rebuilt by rowOf() after any insertion
    int m_serverOffset = 0;            // offset of the next page on the service
    int m_total = 0;
    bool m_totalKnown = false;
    bool m_fetching = false;           // a page is scheduled or requested
    bool m_pageRequestScheduled = false;
    quint64 m_generation = 0;          // bumped by reload(); stale pages are ignored

    // Thumbnail loading is started from data(), which is const for the view.
    mutable QCache<QString, QImage> m_thumbnails;
    mutable QList<MediaItem> m_queue;   // newest request last
    mutable QSet<QString> m_queuedIds;
    mutable QSet<QString> m_running;
    mutable QSet<QString> m_failed;
};

} // namespace Accrete
