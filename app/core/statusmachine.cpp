#include "statusmachine.h"

namespace Accrete {

QString operationApiName(DatasetOperation operation)
{
    switch (operation) {
    case DatasetOperation::Create:
        return QStringLiteral("create");
    case DatasetOperation::AddMedia:
        return QStringLiteral("add_media");
    case DatasetOperation::Reindex:
        return QStringLiteral("reindex");
    }
    return QString();
}

namespace StatusMachine {

bool isTransitionAllowed(DatasetStatus from, DatasetStatus to)
{
    using S = DatasetStatus;
    switch (from) {
    case S::Draft:
        return to == S::Indexing || to == S::Error;
    case S::Indexing:
        return to == S::Ready || to == S::Error;
    case S::ReadOnly:
        return to == S::PartialIndex || to == S::Indexing || to == S::Ready || to == S::Error;
    case S::PartialIndex:
        return to == S::ReadOnly;
    case S::Ready:
        return to == S::ReadOnly;
    case S::Error:
        return false;
    }
    return false;
}

std::optional<ServiceError> checkOperation(DatasetOperation operation, const DatasetState &state)
{
    const QString name = operationApiName(operation);
    if (state.runningTask) {
        return ServiceError(409,
                            QStringLiteral("Operation '%1' is blocked while %2 task is running")
                                .arg(name, taskTypeToApiString(*state.runningTask)));
    }

    switch (operation) {
    case DatasetOperation::Create:
        if (state.status != DatasetStatus::Draft) {
            return ServiceError(409,
                                QStringLiteral("Operation 'create' requires dataset status DRAFT, "
                                               "but it is %1")
                                    .arg(statusToApiString(state.status)));
        }
        return std::nullopt;
    case DatasetOperation::AddMedia:
        if (!state.hasEmbeddingConfig)
            return ServiceError::noEmbeddingConfig(state.datasetId);
        if (state.status != DatasetStatus::Ready && state.status != DatasetStatus::PartialIndex) {
            return ServiceError(409,
                                QStringLiteral("Operation 'add_media' requires dataset status READY "
                                               "or PARTIAL INDEX, but it is %1")
                                    .arg(statusToApiString(state.status)));
        }
        return std::nullopt;
    case DatasetOperation::Reindex:
        if (state.status != DatasetStatus::PartialIndex) {
            return ServiceError(409,
                                QStringLiteral("Operation 'reindex' requires dataset status PARTIAL "
                                               "INDEX, but it is %1")
                                    .arg(statusToApiString(state.status)));
        }
        return std::nullopt;
    }
    return std::nullopt;
}

QList<DatasetStatus> successPath(DatasetOperation operation, bool autoReindex)
{
    using S = DatasetStatus;
    switch (operation) {
    case DatasetOperation::Create:
        return { S::Indexing, S::Ready };
    case DatasetOperation::AddMedia:
        if (autoReindex)
            return { S::ReadOnly, S::Indexing, S::Ready };
        return { S::ReadOnly, S::PartialIndex };
    case DatasetOperation::Reindex:
        return { S::ReadOnly, S::Indexing, S::Ready };
    }
    return {};
}

TaskType taskTypeFor(DatasetOperation operation)
{
    switch (operation) {
    case DatasetOperation::Create:
        return TaskType::DatasetCreation;
    case DatasetOperation::AddMedia:
        return TaskType::MediaAddition;
    case DatasetOperation::Reindex:
        return TaskType::Reindex;
    }
    return TaskType::MediaAddition;
}

} // namespace StatusMachine

} // namespace Accrete
