#include "dataset.h"

#include "task.h"

namespace Accrete {

namespace {

QJsonValue nullableString(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

} // namespace

QJsonObject DatasetInfo::toJson() const
{
    QJsonObject object{
        { QStringLiteral("id"), id },
        { QStringLiteral("display_name"), displayName },
        { QStringLiteral("description"), nullableString(description) },
        { QStringLiteral("source_type"), nullableString(sourceType) },
        { QStringLiteral("owned_by"), nullableString(ownedBy) },
        { QStringLiteral("created_at"), nullableString(apiTimeString(createdAt)) },
        { QStringLiteral("status_new"), statusToApiString(status) },
        { QStringLiteral("status"),
          legacyStatus.isEmpty() ? legacyStatusFor(status) : legacyStatus },
        { QStringLiteral("progress"), progress },
        { QStringLiteral("n_images"), nImages },
        { QStringLiteral("n_videos"), nVideos },
        { QStringLiteral("n_objects"), nObjects },
        { QStringLiteral("fatal_error_msg"), nullableString(fatalErrorMsg) },
        { QStringLiteral("source_dataset_id"), nullableString(sourceDatasetId) },
        { QStringLiteral("embedding_config"), nullableString(embeddingConfig) },
        { QStringLiteral("n_clusters"), nClusters },
        { QStringLiteral("n_duplicate_groups"), nDuplicateGroups },
        { QStringLiteral("n_outliers"), nOutliers },
        { QStringLiteral("n_pending_items"), nPendingItems },
    };
    return object;
}

DatasetInfo DatasetInfo::fromJson(const QJsonObject &object)
{
    DatasetInfo dataset;
    dataset.id = object.value(QStringLiteral("id")).toVariant().toString();
    dataset.displayName = object.value(QStringLiteral("display_name")).toString();
    if (dataset.displayName.isEmpty())
        dataset.displayName = object.value(QStringLiteral("name")).toString();
    dataset.description = object.value(QStringLiteral("description")).toString();
    dataset.sourceType = object.value(QStringLiteral("source_type")).toString();
    dataset.ownedBy = object.value(QStringLiteral("owned_by")).toString();
    dataset.createdAt = parseApiTime(object.value(QStringLiteral("created_at")).toString());
    dataset.legacyStatus = object.value(QStringLiteral("status")).toString();
    if (auto status = parseDatasetStatus(object.value(QStringLiteral("status_new")).toString()))
        dataset.status = *status;
    else if (auto legacy = parseLegacyDatasetStatus(dataset.legacyStatus))
        dataset.status = *legacy;
    dataset.progress = object.value(QStringLiteral("progress")).toInt();
    dataset.nImages = object.value(QStringLiteral("n_images")).toInt();
    dataset.nVideos = object.value(QStringLiteral("n_videos")).toInt();
    dataset.nObjects = object.value(QStringLiteral("n_objects")).toInt();
    dataset.fatalErrorMsg = object.value(QStringLiteral("fatal_error_msg")).toString();
    dataset.sourceDatasetId = object.value(QStringLiteral("source_dataset_id")).toString();
    const QJsonValue embedding = object.value(QStringLiteral("embedding_config"));
    dataset.embeddingConfig = embedding.isObject()
        ? embedding.toObject().value(QStringLiteral("model")).toString(QStringLiteral("remote"))
        : embedding.toString();
    dataset.nClusters = object.value(QStringLiteral("n_clusters")).toInt();
    dataset.nDuplicateGroups = object.value(QStringLiteral("n_duplicate_groups")).toInt();
    dataset.nOutliers = object.value(QStringLiteral("n_outliers")).toInt();
    dataset.nPendingItems = object.value(QStringLiteral("n_pending_items")).toInt();
    return dataset;
}

} // namespace Accrete
