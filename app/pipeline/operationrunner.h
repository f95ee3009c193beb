#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QHash>
#include <QList>
#include <QString>

#include "clusteringsettings.h"
#include "core/dataset.h"
#include "core/mediaitem.h"
#include "core/requests.h"
#include "core/task.h"
#include "pipeline/media/mediaanalyzer.h"
#include "pipeline/media/mediasource.h"

class QLockFile;
class QThread;
class QThreadPool;

namespace Accrete {

class Catalog;
class NeighbourIndex;

enum class OperationKind {
    CreateDataset, // DRAFT -> INDEXING -> READY from `request`
    AddMedia,      // READ ONLY -> PARTIAL INDEX, or -> INDEXING -> READY with auto_reindex
    Reindex,       // READ ONLY -> INDEXING -> READY
    ResumeReindex, // INDEXING -> READY, after a process stopped during a reindex
};

struct OperationSpec
{
    OperationKind kind = OperationKind::AddMedia;
    QString datasetDir;
    QString datasetId;
    QString taskId;        // the task row, already written with INITIALIZING
    AddMediaRequest request; // the media source of CreateDataset and AddMedia
    ClusteringSettings clustering;
    AnalyzerSettings analyzer;
    SourceLimits limits;
    QThreadPool *analysisPool = nullptr; // runs analyzeMedia; must outlive the runner
};

// Callbacks through which a runner reports progress. They are called on the runner's own
// thread, in order; the service forwards them to its thread.
struct OperationEvents
{
    std::function<void(const DatasetInfo &)> datasetChanged;
    std::function<void(const TaskInfo &)> taskChanged;
    std::function<void(const QString &datasetId, const QList<MediaItem> &items)> mediaAdded;
    std::function<void(const QString &datasetId)> mediaChanged;
    // Called last, after the dataset lock was released.
    std::function<void(const QString &datasetId)> finished;
};

// Runs one operation on one dataset in a thread of its own. It reads the source, stores the
// bytes and has the analysis pool decode them. It writes the catalog in batched transactions
// on its own connection, updates the neighbour index and, for a reindex, recomputes the
// clusters. It keeps the dataset's lock file locked from start to end.
class OperationRunner
{
public:
    OperationRunner(OperationSpec spec, std::unique_ptr<QLockFile> lock, OperationEvents events);
    // Cancels the operation and waits for its thread.
    ~OperationRunner();
    OperationRunner(const OperationRunner &) = delete;
    OperationRunner &operator=(const OperationRunner &) = delete;

    const QString &datasetId() const { return m_spec.datasetId; }
    const QString &taskId() const { return m_spec.taskId; }

    // Sets the callbacks; call before start().
    void setEvents(OperationEvents events) { m_events = std::move(events); }
    void start();
    // Asks the operation to stop reading its source. Items already stored stay; the task
    // ends FAILED and the dataset returns to a settled status.
    void cancel();
    void wait();
    bool isFinished() const { return m_finished.load(); }

private:
    struct Ingestion;

    void run();
    void runCreate(Catalog &catalog, TaskInfo &task);
    void runAddMedia(Catalog &catalog, TaskInfo &task);
    void runReindex(Catalog &catalog, TaskInfo &task);

    std::unique_ptr<MediaSource> openSource(QString *error) const;
    void ingest(Catalog &catalog, TaskInfo &task, Ingestion &ingestion);
    bool listTaskItems(Catalog &catalog, TaskInfo &task, Ingestion &ingestion);
    std::unique_ptr<NeighbourIndex> loadIndex(Catalog &catalog, QHash<qint64, quint64> *hashes);
    bool rebuildClusters(Catalog &catalog, TaskResult *result);

    bool changeStatus(Catalog &catalog, DatasetStatus status);
    // Writes the task's end and the dataset's final status in one transaction, releases
    // the lock, then reports both.
    void finish(Catalog &catalog, TaskInfo &task, TaskStatus status, const QString &error,
                const QList<DatasetStatus> &statuses);
    void publishDataset(Catalog &catalog);
    void publishTask(Catalog &catalog, const TaskInfo &task);
    void releaseLock();

    QString indexPath() const;

    OperationSpec m_spec;
    std::unique_ptr<QLockFile> m_lock;
    OperationEvents m_events;
    std::unique_ptr<QThread> m_thread;
    std::atomic<bool> m_cancelled{ false };
    std::atomic<bool> m_finished{ false };
};

} // namespace Accrete
