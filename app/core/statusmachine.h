#pragma once

#include <optional>

#include <QList>
#include <QString>

#include "datasetstatus.h"
#include "serviceerror.h"
#include "task.h"

namespace Accrete {

// Operations a client can request on a dataset.
enum class DatasetOperation {
    Create,
    AddMedia,
    Reindex,
};

// Returns the operation name used in `detail` texts: "create", "add_media", "reindex".
QString operationApiName(DatasetOperation operation);

// The facts about a dataset that decide whether an operation is accepted or rejected.
struct DatasetState
{
    QString datasetId;
    DatasetStatus status = DatasetStatus::Draft;
    std::optional<TaskType> runningTask; // the task type of the operation in progress, if any
    bool hasEmbeddingConfig = false;     // set by the first completed index
};

// The dataset status model: which transitions are allowed and which requests are accepted.
// Pure functions of their arguments; every backend and the UI use them.
//
//   DRAFT -> INDEXING -> READY
//   READY | PARTIAL INDEX -> READ ONLY -> PARTIAL INDEX          (add_media)
//   PARTIAL INDEX -> READ ONLY -> INDEXING -> READY              (reindex)
//   READY | PARTIAL INDEX -> READ ONLY -> INDEXING -> READY      (add_media with auto_reindex)
//   READ ONLY -> READY | PARTIAL INDEX                           (a batch that added nothing
//                                                                 restores the previous status)
//   DRAFT | INDEXING | READ ONLY -> ERROR                        (fatal failure)
namespace StatusMachine {

bool isTransitionAllowed(DatasetStatus from, DatasetStatus to);

// Returns the rejection for `operation` on a dataset in `state`, or nullopt when the
// operation may start. Request validation (sources, S3 URI) and 404 come before this check.
std::optional<ServiceError> checkOperation(DatasetOperation operation, const DatasetState &state);

// The statuses the dataset passes through, after `from`, when `operation` succeeds.
QList<DatasetStatus> successPath(DatasetOperation operation, bool autoReindex);

// The task type that runs `operation`.
TaskType taskTypeFor(DatasetOperation operation);

} // namespace StatusMachine

} // namespace Accrete
