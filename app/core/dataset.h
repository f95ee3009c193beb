#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include "datasetstatus.h"

namespace Accrete {

// A dataset as `GET /api/v1/dataset/{id}` returns it. The fields after `sourceDatasetId` are
// Accrete's own additions; the embedded backend and `accrete-cli serve` fill them, and other
// servers leave them at their defaults.
struct DatasetInfo
{
    QString id;
    QString displayName;
    QString description;
    QString sourceType;    // "LOCAL", "BUCKET", ...
    QString ownedBy;
    QDateTime createdAt;
    DatasetStatus status = DatasetStatus::Draft; // `status_new`
    QString legacyStatus;                         // `status`, kept as the server sent it
    int progress = 0;                             // 0-100; never a completion signal
    int nImages = 0;
    int nVideos = 0;
    int nObjects = 0;
    QString fatalErrorMsg;
    QString sourceDatasetId;

    QString embeddingConfig;   // embedding model name, empty until the first index
    int nClusters = 0;
    int nDuplicateGroups = 0;
    int nOutliers = 0;
    int nPendingItems = 0;     // items added since the last full index (not yet clustered)

    bool hasEmbeddingConfig() const { return !embeddingConfig.isEmpty(); }

    QJsonObject toJson() const;
    // Reads `status_new` (either spelling) and falls back to the legacy `status`.
    static DatasetInfo fromJson(const QJsonObject &object);
};

} // namespace Accrete

Q_DECLARE_METATYPE(Accrete::DatasetInfo)
