#pragma once

#include <QString>

#include "core/serviceerror.h"

namespace Accrete {

// What the user was doing when a request failed; the advice depends on it.
enum class FailedOperation {
    ListDatasets,
    OpenDataset,
    CreateDataset,
    AddMedia,
    Reindex,
};

// Formats a ServiceError for the message banner as rich text: what happened (the HTTP-style
// code and the server's `detail`, escaped) and what to do about it.
QString serviceErrorMessage(const ServiceError &error, FailedOperation operation);

} // namespace Accrete
