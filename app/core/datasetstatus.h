#pragma once

#include <optional>

#include <QMetaType>
#include <QString>
#include <QStringView>

namespace Accrete {

// Dataset status as the REST API's `status_new` field spells it.
enum class DatasetStatus {
    Draft,
    Indexing,
    ReadOnly,
    PartialIndex,
    Ready,
    Error,
};

// Returns the API spelling: "DRAFT", "INDEXING", "READ ONLY", "PARTIAL INDEX", "READY", "ERROR".
QString statusToApiString(DatasetStatus status);

// Parses a `status_new` value. Accepts the underscore spellings ("READ_ONLY", "PARTIAL_INDEX")
// that the task manager uses and ignores case and surrounding spaces.
std::optional<DatasetStatus> parseDatasetStatus(QStringView text);

// Maps a legacy `status` value ("NEW", "UPDATING", "FATAL_ERROR", ...) to the closest
// `status_new` value. Used only when a response carries no `status_new`.
std::optional<DatasetStatus> parseLegacyDatasetStatus(QStringView text);

// Returns the legacy `status` value that goes with a `status_new` value in API responses.
QString legacyStatusFor(DatasetStatus status);

// True while an operation runs on the dataset (DRAFT, INDEXING, READ ONLY).
bool isBusyStatus(DatasetStatus status);

// True for the statuses at which a client stops polling after a request: READY, PARTIAL INDEX
// and ERROR.
bool isSettledStatus(DatasetStatus status);

} // namespace Accrete

Q_DECLARE_METATYPE(Accrete::DatasetStatus)
