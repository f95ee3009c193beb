#pragma once

#include <optional>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include "datasetstatus.h"

namespace Accrete {

// Task types and statuses as the task manager API spells them.
enum class TaskType {
    DatasetCreation,
    MediaAddition,
    Reindex,
    Enrichment,
    CustomMetadata,
    SnapshotRestore,
    SnapshotClone,
};

enum class TaskStatus {
    Initializing,
    Running,
    Completed,
    Failed,
    Aborted,
};

QString taskTypeToApiString(TaskType type);            // "MEDIA_ADDITION"
std::optional<TaskType> parseTaskType(QStringView text);
QString taskStatusToApiString(TaskStatus status);      // "RUNNING"
std::optional<TaskStatus> parseTaskStatus(QStringView text);
bool isFinalTaskStatus(TaskStatus status);

// One file that a batch could not add, with the reason shown to the user.
struct RejectedItem
{
    QString path;   // relative path or archive member name, as the user gave it
    QString reason; // "truncated image", "unsafe archive path", ...

    friend bool operator==(const RejectedItem &, const RejectedItem &) = default;
};

// The outcome of a finished MEDIA_ADDITION, REINDEX or DATASET_CREATION task.
struct TaskResult
{
    int addedImages = 0;
    int addedVideos = 0;
    int skippedDuplicates = 0; // files whose content the dataset already had
    int clusters = 0;
    int duplicateGroups = 0;
    QList<RejectedItem> rejected;

    QJsonObject toJson() const;
    static TaskResult fromJson(const QJsonObject &object);
};

// A task as the task manager API returns it (`GET /api/v1/tasks`), plus the result of the
// operation, which the embedded backend and `accrete-cli serve` report under "result".
struct TaskInfo
{
    QString taskId;
    QString datasetId;
    QString datasetName;
    std::optional<DatasetStatus> datasetStatus;
    QString createdBy;
    TaskType type = TaskType::MediaAddition;
    TaskStatus status = TaskStatus::Initializing;
    QString statusMessage;
    std::optional<int> progressPercentage; // 0-100; never a completion signal
    QString errorMessage;
    QDateTime startTime;
    QDateTime endTime; // invalid while the task runs
    TaskResult result;

    QJsonObject toJson() const;
    static TaskInfo fromJson(const QJsonObject &object);
};

// Filters and paging of `GET /api/v1/tasks`. Empty strings and nullopt mean "no filter".
struct TaskQuery
{
    QString datasetId;
    QString datasetName;
    std::optional<TaskType> type;
    std::optional<TaskStatus> status;
    QString sortBy = QStringLiteral("start_time");
    bool ascending = false;
    int page = 1;      // 1-based
    int pageSize = 20; // 5-50 on the API
};

struct TaskPage
{
    QList<TaskInfo> tasks;
    int total = 0;
    int page = 1;
    int pageSize = 20;

    QJsonObject toJson() const;
    static TaskPage fromJson(const QJsonObject &object);
};

// Formats a time as the API does: ISO 8601 with microseconds and no time zone, in UTC.
QString apiTimeString(const QDateTime &time);
QDateTime parseApiTime(const QString &text);

} // namespace Accrete

Q_DECLARE_METATYPE(Accrete::TaskInfo)
