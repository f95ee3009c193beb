#pragma once

#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace Accrete {

enum class MediaKind {
    Image,
    Video,
};

QString mediaKindToApiString(MediaKind kind); // "IMAGE", "VIDEO"

// One image or video of a dataset. Items keep the path and source they were added from;
// two files with the same name in different folders are two items.
struct MediaItem
{
    QString id;
    QString datasetId;
    MediaKind kind = MediaKind::Image;
    QString fileName;      // last path component, for display
    QString relativePath;  // path inside the dropped folder or archive
    QString origin;        // "file", "archive", "s3", "path"
    QString originPath;    // the dropped file, archive (with "!member") or S3 key
    QString sha256;        // hex content hash of the stored bytes
    qint64 size = 0;       // bytes
    int width = 0;
    int height = 0;
    double durationSeconds = 0; // videos only
    QString mediaUri;      // stored file: a local path or a URL
    QString thumbnailUri;  // thumbnail: a local path or a URL, empty until computed
    QString taskId;        // the MEDIA_ADDITION or DATASET_CREATION task that added it
    QDateTime addedAt;

    bool clustered = false;   // false until a full index has included the item
    qint64 clusterId = -1;
    qint64 duplicateGroup = -1; // -1: no duplicate
    double outlierScore = 0;    // 0 (typical) to 1 (unlike anything else)
    QString duplicateOf;        // id of an existing item this one duplicates, found at add time

    QJsonObject toJson() const;
    static MediaItem fromJson(const QJsonObject &object);
};

enum class MediaSort {
    Added,        // newest batch last, then by path
    Cluster,
    DuplicateGroup,
    OutlierScore, // most unusual first
};

// The `sort` values of the media listing: "added", "cluster", "duplicates", "outliers".
QString mediaSortToApiString(MediaSort sort);
std::optional<MediaSort> parseMediaSort(const QString &text);

struct MediaQuery
{
    QString datasetId;
    int offset = 0;
    int limit = 500;
    MediaSort sort = MediaSort::Added;
};

struct MediaPage
{
    QList<MediaItem> items;
    int total = 0;
    int offset = 0;
};

} // namespace Accrete

Q_DECLARE_METATYPE(Accrete::MediaItem)
