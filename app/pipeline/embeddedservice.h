#pragma once

#include <map>
#include <memory>

#include <QString>

#include "clusteringsettings.h"
#include "core/datasetservice.h"
#include "core/statusmachine.h"

class QThreadPool;

namespace Accrete {

class Catalog;
class OperationRunner;

// The embedded backend: datasets live in folders under a data directory, each with an
// SQLite catalog, a content-addressed media store, thumbnails and a neighbour index.
//
// Thread affinity: create and call it from one thread (the GUI thread in the app). Requests
// are accepted or rejected before the returned future exists; the work runs on one thread
// per running dataset operation, with decoding and features on a bounded worker pool.
// Signals are emitted in the service's thread.
//
// Several services, in this process or in others, may share one data directory: a lock
// file in each dataset folder makes sure one operation at a time runs on a dataset.
class EmbeddedService final : public DatasetService
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmbeddedService)

public:
    // Opens (and creates if needed) `dataDir`, then ends or resumes the operations that a
    // stopped process left behind.
    explicit EmbeddedService(const QString &dataDir, QObject *parent = nullptr);
    // Cancels the running operations and waits for their threads; each cancelled task ends
    // FAILED and its dataset returns to a settled status.
    ~EmbeddedService() override;

    // Returns $ACCRETE_DATA_DIR when set, else QStandardPaths::AppDataLocation.
    static QString defaultDataDir();

    QString dataDir() const { return m_dataDir; }

    QString connectionName() const override;

    QFuture<QList<DatasetInfo>> listDatasets() override;
    QFuture<DatasetInfo> dataset(const QString &datasetId) override;
    QFuture<DatasetInfo> createDataset(const CreateDatasetRequest &request) override;
    QFuture<AddMediaAccepted> addMedia(const QString &datasetId,
                                       const AddMediaRequest &request) override;
    QFuture<void> reindex(const QString &datasetId) override;
    QFuture<TaskPage> tasks(const TaskQuery &query) override;
    QFuture<TaskInfo> task(const QString &taskId) override;
    QFuture<MediaPage> media(const MediaQuery &query) override;
    QFuture<MediaItem> mediaItem(const QString &datasetId, const QString &mediaId) override;
    QFuture<QImage> thumbnail(const MediaItem &item, const QSize &size) override;

    // The embedded backend pushes every change, so watching is a no-op.
    void watchDataset(const QString &datasetId) override;
    void unwatchDataset(const QString &datasetId) override;

    // Number of dataset operations this service runs right now.
    int runningOperationCount() const;

    // Thresholds used by the next operations (reindex, duplicate detection at add time).
    ClusteringSettings clusteringSettings() const { return m_clustering; }
    void setClusteringSettings(const ClusteringSettings &settings) { m_clustering = settings; }

    // The reason given to a task that a stopped process left unfinished.
    static QString interruptedReason();

private:
    QString datasetDir(const QString &datasetId) const;
    void recoverInterruptedOperations();
    void recoverDataset(const QString &datasetDir);
    // Accepts or rejects `operation` atomically (BEGIN IMMEDIATE plus the dataset's lock
    // file) and starts it. Throws ServiceError when rejected.
    QString acceptOperation(const QString &datasetId, DatasetOperation operation,
                            const AddMediaRequest &request);
    void reapOperation(const QString &datasetId);
    // Fails with ServiceError::invalidS3Uri when request.s3Uri cannot be read or lists nothing.
    QFuture<void> checkS3Source(const AddMediaRequest &request);
    void startOperation(std::unique_ptr<OperationRunner> runner);
    void finishOperation(const QString &datasetId);
    void emitQueued(const DatasetInfo &dataset);
    void emitQueued(const TaskInfo &task);

    QString m_dataDir;
    ClusteringSettings m_clustering;
    std::unique_ptr<QThreadPool> m_analysisPool;
    // Running operations by dataset id; touched only in the service's thread.
    std::map<QString, std::unique_ptr<OperationRunner>> m_running;
};

} // namespace Accrete
