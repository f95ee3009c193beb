#include "datasetstatus.h"

namespace Accrete {

QString statusToApiString(DatasetStatus status)
{
    switch (status) {
    case DatasetStatus::Draft:
        return QStringLiteral("DRAFT");
    case DatasetStatus::Indexing:
        return QStringLiteral("INDEXING");
    case DatasetStatus::ReadOnly:
        return QStringLiteral("READ ONLY");
    case DatasetStatus::PartialIndex:
        return QStringLiteral("PARTIAL INDEX");
    case DatasetStatus::Ready:
        return QStringLiteral("READY");
    case DatasetStatus::Error:
        return QStringLiteral("ERROR");
    }
    return QString();
}

std::optional<DatasetStatus> parseDatasetStatus(QStringView text)
{
    QString normalized = text.trimmed().toString().toUpper();
    normalized.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (normalized == QLatin1String("DRAFT"))
        return DatasetStatus::Draft;
    if (normalized == QLatin1String("INDEXING"))
        return DatasetStatus::Indexing;
    if (normalized == QLatin1String("READ ONLY"))
        return DatasetStatus::ReadOnly;
    if (normalized == QLatin1String("PARTIAL INDEX"))
        return DatasetStatus::PartialIndex;
    if (normalized == QLatin1String("READY"))
        return DatasetStatus::Ready;
    if (normalized == QLatin1String("ERROR"))
        return DatasetStatus::Error;
    return std::nullopt;
}

std::optional<DatasetStatus> parseLegacyDatasetStatus(QStringView text)
{
    const QString value = text.trimmed().toString().toUpper();
    if (value == QLatin1String("NEW") || value == QLatin1String("UPLOADING")
        || value == QLatin1String("INITIALIZING") || value == QLatin1String("PRE_PROCESSING"))
        return DatasetStatus::Draft;
    if (value == QLatin1String("INDEXING") || value == QLatin1String("SAVING"))
        return DatasetStatus::Indexing;
    if (value == QLatin1String("UPDATING") || value == QLatin1String("ENRICHING"))
        return DatasetStatus::ReadOnly;
    if (value == QLatin1String("READY"))
        return DatasetStatus::Ready;
    if (value == QLatin1String("FATAL_ERROR"))
        return DatasetStatus::Error;
    return std::nullopt;
}

QString legacyStatusFor(DatasetStatus status)
{
    switch (status) {
    case DatasetStatus::Draft:
        return QStringLiteral("NEW");
    case DatasetStatus::Indexing:
        return QStringLiteral("INDEXING");
    case DatasetStatus::ReadOnly:
        return QStringLiteral("UPDATING");
    case DatasetStatus::PartialIndex:
    case DatasetStatus::Ready:
        return QStringLiteral("READY");
    case DatasetStatus::Error:
        return QStringLiteral("FATAL_ERROR");
    }
    return QString();
}

bool isBusyStatus(DatasetStatus status)
{
    return status == DatasetStatus::Draft || status == DatasetStatus::Indexing
        || status == DatasetStatus::ReadOnly;
}

bool isSettledStatus(DatasetStatus status)
{
    return status == DatasetStatus::Ready || status == DatasetStatus::PartialIndex
        || status == DatasetStatus::Error;
}

} // namespace Accrete
