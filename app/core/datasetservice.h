#pragma once

#include <QFuture>
#include <QImage>
#include <QObject>
#include <QSize>
#include <QString>

#include "dataset.h"
#include "mediaitem.h"
#include "requests.h"
#include "serviceerror.h"
#include "task.h"

namespace Accrete {

// What a backend accepted for `add_media`: the API returns 202 with an empty body, so
// `taskId` is empty unless the backend knows the task it started (the embedded one does).
struct AddMediaAccepted
{
    QString datasetId;
    QString taskId;
};

// The interface every backend implements: the embedded pipeline, the Visual Layer Cloud
// client and the client for servers that speak its API (`accrete-cli serve` among them).
//
// Thread affinity: call every function from the thread the service lives in (the GUI
// thread in the app). Functions never block; each returns a QFuture that finishes with the
// value or fails with a ServiceError (use `.then(context, ...)` and
// `.onFailed(context, [](const ServiceError &) {...})`). Signals are emitted in the
// service's thread.
//
// A future finishing means the request was answered (202 for add_media and reindex), not
// that the operation ended: `datasetChanged` reports every status change until the dataset
// reaches a settled status.
class DatasetService : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~DatasetService() override = default;

    // Human-readable connection name shown in the window: "Embedded (/path)", a URL, ...
    virtual QString connectionName() const = 0;

    virtual QFuture<QList<DatasetInfo>> listDatasets() = 0;
    virtual QFuture<DatasetInfo> dataset(const QString &datasetId) = 0;

    // Starts DATASET_CREATION from `request.path`; finishes with the new dataset in DRAFT
    // (or already INDEXING) once the request is accepted.
    virtual QFuture<DatasetInfo> createDataset(const CreateDatasetRequest &request) = 0;

    virtual QFuture<AddMediaAccepted> addMedia(const QString &datasetId,
                                               const AddMediaRequest &request) = 0;
    virtual QFuture<void> reindex(const QString &datasetId) = 0;

    virtual QFuture<TaskPage> tasks(const TaskQuery &query) = 0;
    virtual QFuture<TaskInfo> task(const QString &taskId) = 0;
    virtual QFuture<MediaPage> media(const MediaQuery &query) = 0;

    // Looks up one item by its `media_id`. Fails with 404 "Dataset not found" for an unknown
    // dataset and with ServiceError::mediaNotFound() for an unknown item. This default fails
    // with 501, so callers fall back to paging through media(); backends that can look an
    // item up directly override it.
    virtual QFuture<MediaItem> mediaItem(const QString &datasetId, const QString &mediaId)
    {
        Q_UNUSED(datasetId)
        Q_UNUSED(mediaId)
        return QtFuture::makeExceptionalFuture<MediaItem>(
            ServiceError(501, tr("This backend cannot look up a media item by its id.")));
    }

    // Loads the thumbnail of `item`, scaled to fit `size`, off the calling thread.
    virtual QFuture<QImage> thumbnail(const MediaItem &item, const QSize &size) = 0;

    // Asks the backend to report changes of this dataset through `datasetChanged` until it
    // settles (READY, PARTIAL INDEX, ERROR). Backends that push changes anyway (embedded)
    // may ignore it; remote backends poll with back-off.
    virtual void watchDataset(const QString &datasetId) = 0;
    virtual void unwatchDataset(const QString &datasetId) = 0;

    // Aborts the add_media uploads to `datasetId` that are running or not started yet; their
    // futures fail. Backends that upload nothing (embedded) ignore it.
    virtual void cancelUploads(const QString &datasetId) { Q_UNUSED(datasetId) }

Q_SIGNALS:
    // A dataset's status, progress or counts changed.
    void datasetChanged(const Accrete::DatasetInfo &dataset);
    // A dataset was created or removed; reload the list.
    void datasetListChanged();
    void taskChanged(const Accrete::TaskInfo &task);
    // Items became visible (a batch stored them); they are not clustered yet.
    void mediaAdded(const QString &datasetId, const QList<Accrete::MediaItem> &items);
    // Clusters, duplicate groups or outlier scores were recomputed; reload the grid.
    void mediaChanged(const QString &datasetId);
    // A watched dataset could not be refreshed (network down, 401, ...). Polling goes on.
    void watchFailed(const QString &datasetId, const Accrete::ServiceError &error);
    // Bytes of an add_media upload to `datasetId` sent so far. Only backends that upload the
    // files (remote ones) emit it.
    void uploadProgress(const QString &datasetId, qint64 bytesSent, qint64 bytesTotal);
};

} // namespace Accrete

Q_DECLARE_METATYPE(Accrete::AddMediaAccepted)
