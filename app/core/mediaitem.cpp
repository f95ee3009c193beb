#include "mediaitem.h"

#include "task.h"

namespace Accrete {

QString mediaKindToApiString(MediaKind kind)
{
    return kind == MediaKind::Video ? QStringLiteral("VIDEO") : QStringLiteral("IMAGE");
}

QString mediaSortToApiString(MediaSort sort)
{
    switch (sort) {
    case MediaSort::Added:
        return QStringLiteral("added");
    case MediaSort::Cluster:
        return QStringLiteral("cluster");
    case MediaSort::DuplicateGroup:
        return QStringLiteral("duplicates");
    case MediaSort::OutlierScore:
        return QStringLiteral("outliers");
    }
    return QStringLiteral("added"); // unreachable for valid enumerators
}

std::optional<MediaSort> parseMediaSort(const QString &text)
{
    for (const MediaSort sort : { MediaSort::Added, MediaSort::Cluster, MediaSort::DuplicateGroup,
                                  MediaSort::OutlierScore }) {
        if (text == mediaSortToApiString(sort))
            return sort;
    }
    return std::nullopt;
}

QJsonObject MediaItem::toJson() const
{
    return QJsonObject{
        { QStringLiteral("media_id"), id },
        { QStringLiteral("dataset_id"), datasetId },
        { QStringLiteral("type"), mediaKindToApiString(kind) },
        { QStringLiteral("file_name"), fileName },
        { QStringLiteral("relative_path"), relativePath },
        { QStringLiteral("origin"), origin },
        { QStringLiteral("origin_path"), originPath },
        { QStringLiteral("sha256"), sha256 },
        { QStringLiteral("size"), size },
        { QStringLiteral("width"), width },
        { QStringLiteral("height"), height },
        { QStringLiteral("duration_seconds"), durationSeconds },
        { QStringLiteral("media_uri"), mediaUri },
        { QStringLiteral("media_thumb_uri"), thumbnailUri },
        { QStringLiteral("task_id"), taskId },
        { QStringLiteral("added_at"), apiTimeString(addedAt) },
        { QStringLiteral("clustered"), clustered },
        { QStringLiteral("cluster_id"), clusterId },
        { QStringLiteral("duplicate_group"), duplicateGroup },
        { QStringLiteral("outlier_score"), outlierScore },
        { QStringLiteral("duplicate_of"), duplicateOf },
    };
}

MediaItem MediaItem::fromJson(const QJsonObject &object)
{
    MediaItem item;
    item.id = object.value(QStringLiteral("media_id")).toVariant().toString();
    item.datasetId = object.value(QStringLiteral("dataset_id")).toString();
    item.kind = object.value(QStringLiteral("type")).toString() == QLatin1String("VIDEO")
        ? MediaKind::Video
        : MediaKind::Image;
    item.fileName = object.value(QStringLiteral("file_name")).toString();
    item.relativePath = object.value(QStringLiteral("relative_path")).toString();
    item.origin = object.value(QStringLiteral("origin")).toString();
    item.originPath = object.value(QStringLiteral("origin_path")).toString();
    item.sha256 = object.value(QStringLiteral("sha256")).toString();
    item.size = object.value(QStringLiteral("size")).toInteger();
    item.width = object.value(QStringLiteral("width")).toInt();
    item.height = object.value(QStringLiteral("height")).toInt();
    item.durationSeconds = object.value(QStringLiteral("duration_seconds")).toDouble();
    item.mediaUri = object.value(QStringLiteral("media_uri")).toString();
    item.thumbnailUri = object.value(QStringLiteral("media_thumb_uri")).toString();
    item.taskId = object.value(QStringLiteral("task_id")).toVariant().toString();
    item.addedAt = parseApiTime(object.value(QStringLiteral("added_at")).toString());
    item.clustered = object.value(QStringLiteral("clustered")).toBool();
    item.clusterId = object.value(QStringLiteral("cluster_id")).toInteger(-1);
    item.duplicateGroup = object.value(QStringLiteral("duplicate_group")).toInteger(-1);
    item.outlierScore = object.value(QStringLiteral("outlier_score")).toDouble();
    item.duplicateOf = object.value(QStringLiteral("duplicate_of")).toString();
    return item;
}

} // namespace Accrete
