#include "task.h"

#include <QTimeZone>

namespace Accrete {

namespace {

struct TaskTypeName
{
    TaskType type;
    const char *name;
};

constexpr TaskTypeName taskTypeNames[] = {
    { TaskType::DatasetCreation, "DATASET_CREATION" },
    { TaskType::MediaAddition, "MEDIA_ADDITION" },
    { TaskType::Reindex, "REINDEX" },
    { TaskType::Enrichment, "ENRICHMENT" },
    { TaskType::CustomMetadata, "CUSTOM_METADATA" },
    { TaskType::SnapshotRestore, "SNAPSHOT_RESTORE" },
    { TaskType::SnapshotClone, "SNAPSHOT_CLONE" },
};

struct TaskStatusName
{
    TaskStatus status;
    const char *name;
};

constexpr TaskStatusName taskStatusNames[] = {
    { TaskStatus::Initializing, "INITIALIZING" },
    { TaskStatus::Running, "RUNNING" },
    { TaskStatus::Completed, "COMPLETED" },
    { TaskStatus::Failed, "FAILED" },
    { TaskStatus::Aborted, "ABORTED" },
};

QJsonValue optionalString(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

} // namespace

QString taskTypeToApiString(TaskType type)
{
    for (const auto &entry : taskTypeNames) {
        if (entry.type == type)
            return QLatin1String(entry.name);
    }
    return QString();
}

std::optional<TaskType> parseTaskType(QStringView text)
{
    for (const auto &entry : taskTypeNames) {
        if (text.compare(QLatin1String(entry.name), Qt::CaseInsensitive) == 0)
            return entry.type;
    }
    return std::nullopt;
}

QString taskStatusToApiString(TaskStatus status)
{
    for (const auto &entry : taskStatusNames) {
        if (entry.status == status)
            return QLatin1String(entry.name);
    }
    return QString();
}

std::optional<TaskStatus> parseTaskStatus(QStringView text)
{
    for (const auto &entry : taskStatusNames) {
        if (text.compare(QLatin1String(entry.name), Qt::CaseInsensitive) == 0)
            return entry.status;
    }
    return std::nullopt;
}

bool isFinalTaskStatus(TaskStatus status)
{
    return status == TaskStatus::Completed || status == TaskStatus::Failed
        || status == TaskStatus::Aborted;
}

QString apiTimeString(const QDateTime &time)
{
    if (!time.isValid())
        return QString();
    const QDateTime utc = time.toUTC();
    return utc.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz000"));
}

QDateTime parseApiTime(const QString &text)
{
    if (text.isEmpty())
        return QDateTime();
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(text, Qt::ISODate);
    if (!time.isValid()) {
        // Microseconds: Qt parses at most milliseconds, so cut the extra digits.
        const int dot = text.indexOf(QLatin1Char('.'));
        if (dot > 0)
            time = QDateTime::fromString(text.left(dot + 4), Qt::ISODateWithMs);
    }
    if (time.isValid() && time.timeSpec() == Qt::LocalTime && !text.endsWith(QLatin1Char('Z')))
        time.setTimeZone(QTimeZone::utc());
    return time;
}

QJsonObject TaskResult::toJson() const
{
    QJsonArray rejectedArray;
    for (const RejectedItem &item : rejected)
        rejectedArray.append(QJsonObject{ { QStringLiteral("path"), item.path },
                                          { QStringLiteral("reason"), item.reason } });
    return QJsonObject{
        { QStringLiteral("added_images"), addedImages },
        { QStringLiteral("added_videos"), addedVideos },
        { QStringLiteral("skipped_duplicates"), skippedDuplicates },
        { QStringLiteral("clusters"), clusters },
        { QStringLiteral("duplicate_groups"), duplicateGroups },
        { QStringLiteral("rejected"), rejectedArray },
    };
}

TaskResult TaskResult::fromJson(const QJsonObject &object)
{
    TaskResult result;
    result.addedImages = object.value(QStringLiteral("added_images")).toInt();
    result.addedVideos = object.value(QStringLiteral("added_videos")).toInt();
    result.skippedDuplicates = object.value(QStringLiteral("skipped_duplicates")).toInt();
    result.clusters = object.value(QStringLiteral("clusters")).toInt();
    result.duplicateGroups = object.value(QStringLiteral("duplicate_groups")).toInt();
    const QJsonArray rejectedArray = object.value(QStringLiteral("rejected")).toArray();
    for (const QJsonValue &value : rejectedArray) {
        const QJsonObject entry = value.toObject();
        result.rejected.append({ entry.value(QStringLiteral("path")).toString(),
                                 entry.value(QStringLiteral("reason")).toString() });
    }
    return result;
}

QJsonObject TaskInfo::toJson() const
{
    QJsonObject object{
        { QStringLiteral("task_id"), taskId },
        { QStringLiteral("dataset_id"), datasetId },
        { QStringLiteral("dataset_name"), datasetName },
        { QStringLiteral("created_by"), optionalString(createdBy) },
        { QStringLiteral("task_type"), taskTypeToApiString(type) },
        { QStringLiteral("status"), taskStatusToApiString(status) },
        { QStringLiteral("status_message"), optionalString(statusMessage) },
        { QStringLiteral("error_message"), optionalString(errorMessage) },
        { QStringLiteral("start_time"), optionalString(apiTimeString(startTime)) },
        { QStringLiteral("end_time"), optionalString(apiTimeString(endTime)) },
        { QStringLiteral("result"), result.toJson() },
    };
    // The task manager spells dataset statuses with underscores.
    object.insert(QStringLiteral("dataset_status"),
                  datasetStatus ? QJsonValue(statusToApiString(*datasetStatus)
                                                 .replace(QLatin1Char(' '), QLatin1Char('_')))
                                : QJsonValue(QJsonValue::Null));
    object.insert(QStringLiteral("progress_percentage"),
                  progressPercentage ? QJsonValue(*progressPercentage)
                                     : QJsonValue(QJsonValue::Null));
    return object;
}

TaskInfo TaskInfo::fromJson(const QJsonObject &object)
{
    TaskInfo task;
    task.taskId = object.value(QStringLiteral("task_id")).toVariant().toString();
    task.datasetId = object.value(QStringLiteral("dataset_id")).toString();
    task.datasetName = object.value(QStringLiteral("dataset_name")).toString();
    task.datasetStatus = parseDatasetStatus(object.value(QStringLiteral("dataset_status")).toString());
    task.createdBy = object.value(QStringLiteral("created_by")).toString();
    task.type = parseTaskType(object.value(QStringLiteral("task_type")).toString())
                    .value_or(TaskType::MediaAddition);
    task.status = parseTaskStatus(object.value(QStringLiteral("status")).toString())
                      .value_or(TaskStatus::Initializing);
    task.statusMessage = object.value(QStringLiteral("status_message")).toString();
    const QJsonValue progress = object.value(QStringLiteral("progress_percentage"));
    if (progress.isDouble())
        task.progressPercentage = progress.toInt();
    task.errorMessage = object.value(QStringLiteral("error_message")).toString();
    task.startTime = parseApiTime(object.value(QStringLiteral("start_time")).toString());
    task.endTime = parseApiTime(object.value(QStringLiteral("end_time")).toString());
    task.result = TaskResult::fromJson(object.value(QStringLiteral("result")).toObject());
    return task;
}

QJsonObject TaskPage::toJson() const
{
    QJsonArray array;
    for (const TaskInfo &task : tasks)
        array.append(task.toJson());
    return QJsonObject{
        { QStringLiteral("tasks"), array },
        { QStringLiteral("total"), total },
        { QStringLiteral("page"), page },
        { QStringLiteral("page_size"), pageSize },
    };
}

TaskPage TaskPage::fromJson(const QJsonObject &object)
{
    TaskPage result;
    const QJsonArray array = object.value(QStringLiteral("tasks")).toArray();
    for (const QJsonValue &value : array)
        result.tasks.append(TaskInfo::fromJson(value.toObject()));
    result.total = object.value(QStringLiteral("total")).toInt(int(result.tasks.size()));
    result.page = object.value(QStringLiteral("page")).toInt(1);
    result.pageSize = object.value(QStringLiteral("page_size")).toInt(20);
    return result;
}

} // namespace Accrete
