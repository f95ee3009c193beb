#pragma once

#include <optional>

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QObject>
#include <QPromise>
#include <QString>
#include <QTimer>

#include "core/dataset.h"
#include "core/serviceerror.h"
#include "core/task.h"

namespace Accrete {

class DatasetService;

// Follows one dataset through an operation that accrete-cli requested: reports each status
// change and finishes when the dataset settles (READY, PARTIAL INDEX or ERROR) after the
// request.
//
// Create it before sending the request, because the embedded backend may emit the first
// change before the request's future finishes. A settled status counts as the end only
// after the watcher has seen a busy status (DRAFT, INDEXING, READ ONLY), a status other
// than the baseline, or the operation's task reaching a final status.
class OperationWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperationWatcher)

public:
    // `taskType` is the type of the task the operation runs: its final taskChanged also
    // ends the wait. Without it, a final task of any type on the dataset does.
    OperationWatcher(DatasetService *service, std::optional<TaskType> taskType, QObject *parent);
    ~OperationWatcher() override;

    // Records the dataset as it was before the request; accept() reports it first.
    void setBaseline(const DatasetInfo &dataset);

    // Starts reporting and waiting once the backend accepted the request. `dataset` is the
    // dataset the reply returned, or one with only the id set; `taskId` may be empty.
    // Changes that arrived before are reported now, in the order they arrived.
    void accept(const DatasetInfo &dataset, const QString &taskId = {});

    // Also reads the dataset every `milliseconds`, for backends that push no changes made
    // by other processes (the embedded one).
    void setPollInterval(int milliseconds);

    // Finishes with the settled dataset.
    QFuture<DatasetInfo> finished() { return m_promise.future(); }

Q_SIGNALS:
    void statusChanged(const Accrete::DatasetInfo &dataset);
    // A remote backend could not refresh the dataset; it keeps polling.
    void refreshFailed(const Accrete::ServiceError &error);

private:
    void handleDatasetChanged(const DatasetInfo &dataset);
    void handleTaskChanged(const TaskInfo &task);
    void evaluate(const DatasetInfo &dataset);
    void refresh();
    void finish(const DatasetInfo &dataset);

    DatasetService *m_service;
    std::optional<TaskType> m_taskType;
    QDateTime m_requestTime;
    QString m_datasetId;
    QString m_taskId;
    std::optional<DatasetInfo> m_baseline;
    std::optional<DatasetStatus> m_lastStatus;
    // Changes that arrived before the request was accepted.
    QList<DatasetInfo> m_buffered;
    QPromise<DatasetInfo> m_promise;
    QTimer *m_pollTimer = nullptr;
    bool m_accepted = false;
    bool m_sawBusy = false;
    bool m_taskEnded = false;
    bool m_finished = false;
};

} // namespace Accrete
