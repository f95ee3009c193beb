#pragma once

#include <functional>
#include <optional>
#include <vector>

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include "clustering.h"
#include "core/dataset.h"
#include "core/mediaitem.h"
#include "core/task.h"

namespace Accrete {

// The SQLite catalog of one dataset, `<dataset folder>/catalog.sqlite`, in WAL mode: the
// dataset row, media items with their embeddings and video frames, tasks with their item
// lists, and the status timeline.
//
// Each Catalog owns its own connection under a unique name, so use an object only in the
// thread that created it; several catalogs (threads or processes) may open one file.
class Catalog
{
public:
    static constexpr int schemaVersion = 1;

    enum class OpenMode {
        CreateIfMissing,
        ExistingOnly,
    };

    // One change of the dataset status, as stored in the timeline.
    struct StatusChange
    {
        DatasetStatus status = DatasetStatus::Draft;
        QDateTime time;
        QString taskId;
    };

    // One entry of a task's item list, stored before the task processes it.
    struct TaskItem
    {
        int sequence = 0;
        QString relativePath;
        QString originPath;
        qint64 size = -1;
    };

    // A video frame with its features.
    struct Frame
    {
        double timestampSeconds = 0;
        quint64 perceptualHash = 0;
        std::vector<float> embedding;
    };

    // A new item as the pipeline writes it. Paths are relative to the dataset folder.
    struct NewMedia
    {
        MediaKind kind = MediaKind::Image;
        QString relativePath;
        QString origin;
        QString originPath;
        QString sha256;
        qint64 size = 0;
        int width = 0;
        int height = 0;
        double durationSeconds = 0;
        QString storePath;
        QString thumbnailPath;
        QString taskId;
        QDateTime addedAt;
        qint64 duplicateOf = -1;
        quint64 perceptualHash = 0;
        std::vector<float> embedding;
        std::vector<Frame> frames;
    };

    // One item's index data, as forEachEmbedding() streams it.
    struct EmbeddingRow
    {
        qint64 id = -1;
        QString sha256;
        quint64 perceptualHash = 0;
        std::vector<float> embedding;
    };

    explicit Catalog(const QString &datasetDir);
    ~Catalog();
    Catalog(const Catalog &) = delete;
    Catalog &operator=(const Catalog &) = delete;

    static QString catalogPath(const QString &datasetDir);

    // Opens the connection and creates or checks the schema. Returns false and sets
    // errorString() on failure.
    bool open(OpenMode mode = OpenMode::CreateIfMissing);
    QString errorString() const { return m_error; }
    QString datasetDir() const { return m_datasetDir; }

    // BEGIN IMMEDIATE takes the write lock at once, so a read-then-write decision inside the
    // transaction is atomic across connections and processes. Waits up to the busy timeout.
    bool beginImmediate();
    bool commit();
    void rollback();

    // Dataset row.
    bool insertDataset(const DatasetInfo &dataset, const QString &sourcePath);
    std::optional<DatasetInfo> dataset();
    QString sourcePath();
    std::optional<DatasetStatus> previousStatus();
    // Moves the dataset to `status` when StatusMachine allows it, remembering the old
    // status as the previous one and appending the change to the timeline.
    bool transitionStatus(DatasetStatus status, const QString &taskId);
    bool setProgress(int percent);
    bool setFatalError(const QString &message);
    bool setEmbeddingConfig(const QString &model);
    bool setClusterCounts(int clusters, int duplicateGroups, int outliers);
    QList<StatusChange> timeline();

    // Tasks.
    bool insertTask(const TaskInfo &task);
    bool updateTask(const TaskInfo &task);
    std::optional<TaskInfo> task(const QString &taskId);
    QList<TaskInfo> tasks();
    // The newest task still INITIALIZING or RUNNING, if any.
    std::optional<TaskInfo> runningTask();
    std::optional<TaskInfo> latestTask();
    bool insertTaskItems(const QString &taskId, const QList<TaskItem> &items);
    // `state` is "pending", "added", "skipped" or "rejected".
    bool setTaskItemState(const QString &taskId, int sequence, const QString &state,
                          const QString &reason, qint64 mediaId);
    int taskItemCount(const QString &taskId);

    // Media.
    qint64 insertMedia(const NewMedia &media); // returns the new id, or -1
    qint64 findMediaBySha256(const QString &sha256);        // the oldest item, or -1
    bool containsMedia(const QString &sha256, const QString &originPath);
    std::optional<MediaItem> mediaItem(qint64 id);
    MediaPage media(const MediaQuery &query);
    int nearDuplicatePairCount();
    // Streams the index data of every item, oldest first, without loading all at once.
    bool forEachEmbedding(const std::function<void(EmbeddingRow &&)> &callback);
    // Writes a full reindex result: cluster ids, duplicate groups, outlier scores,
    // near-duplicate pairs, clustered = 1 on every item, and the counts.
    bool storeClustering(const Clustering::Result &result);

    // Builds the MediaItem that `media(…)` would return for a row written from `media`.
    MediaItem toMediaItem(qint64 id, const NewMedia &media) const;

private:
    bool exec(const QString &statement);
    bool createSchema();
    bool fail(const QString &what, const QString &detail);

    QString m_datasetDir;
    QString m_connectionName;
    QSqlDatabase m_db;
    QString m_error;
};

} // namespace Accrete
