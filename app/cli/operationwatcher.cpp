#include "operationwatcher.h"

#include <utility>

#include "core/datasetservice.h"
#include "core/logging.h"

namespace Accrete {

namespace {

// Tasks that started this long before the request still count as the request's task,
// because a remote server's clock may be behind ours.
constexpr qint64 clockSkewSeconds = 120;

} // namespace

OperationWatcher::OperationWatcher(DatasetService *service, std::optional<TaskType> taskType,
                                   QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_taskType(taskType)
    , m_requestTime(QDateTime::currentDateTimeUtc())
{
    m_promise.start();
    connect(m_service, &DatasetService::datasetChanged, this,
            &OperationWatcher::handleDatasetChanged);
    connect(m_service, &DatasetService::taskChanged, this, &OperationWatcher::handleTaskChanged);
    connect(m_service, &DatasetService::watchFailed, this,
            [this](const QString &datasetId, const ServiceError &error) {
                if (datasetId == m_datasetId)
                    Q_EMIT refreshFailed(error);
            });
}

OperationWatcher::~OperationWatcher()
{
    if (m_accepted && !m_finished)
        m_service->unwatchDataset(m_datasetId);
}

void OperationWatcher::setBaseline(const DatasetInfo &dataset)
{
    m_datasetId = dataset.id;
    m_baseline = dataset;
}

void OperationWatcher::accept(const DatasetInfo &dataset, const QString &taskId)
{
    m_datasetId = dataset.id;
    m_taskId = taskId;
    m_accepted = true;
    qCDebug(lcCli) << "request accepted for dataset" << m_datasetId << "task" << m_taskId;

    if (m_baseline) {
        m_lastStatus = m_baseline->status;
        if (isBusyStatus(m_baseline->status))
            m_sawBusy = true;
        Q_EMIT statusChanged(*m_baseline);
    }

    // Changes emitted while the request was sent are newer than the baseline. A create
    // reply carries the new dataset's status too, but buffered changes are at least as new.
    const QList<DatasetInfo> buffered = std::exchange(m_buffered, {});
    bool replayed = false;
    for (const DatasetInfo &change : buffered) {
        if (change.id == m_datasetId) {
            handleDatasetChanged(change);
            replayed = true;
        }
    }
    const bool replyHasStatus = !dataset.displayName.isEmpty() || dataset.createdAt.isValid();
    if (!replayed && replyHasStatus)
        handleDatasetChanged(dataset);

    if (m_finished)
        return;
    m_service->watchDataset(m_datasetId);
    refresh();
}

void OperationWatcher::setPollInterval(int milliseconds)
{
    if (!m_pollTimer) {
        m_pollTimer = new QTimer(this);
        connect(m_pollTimer, &QTimer::timeout, this, [this] {
            if (m_accepted && !m_finished)
                refresh();
        });
    }
    m_pollTimer->start(milliseconds);
}

void OperationWatcher::handleDatasetChanged(const DatasetInfo &dataset)
{
    if (m_finished)
        return;
    if (!m_accepted) {
        m_buffered.append(dataset);
        return;
    }
    if (dataset.id != m_datasetId)
        return;

    if (!m_lastStatus || *m_lastStatus != dataset.status) {
        m_lastStatus = dataset.status;
        Q_EMIT statusChanged(dataset);
    }
    if (isBusyStatus(dataset.status))
        m_sawBusy = true;
    evaluate(dataset);
}

void OperationWatcher::handleTaskChanged(const TaskInfo &task)
{
    if (m_finished || m_datasetId.isEmpty() || task.datasetId != m_datasetId
        || !isFinalTaskStatus(task.status)) {
        return;
    }
    bool isRequestedTask = false;
    if (!m_taskId.isEmpty()) {
        isRequestedTask = task.taskId == m_taskId;
    } else {
        const bool typeMatches = !m_taskType || task.type == *m_taskType;
        const bool startedAfterRequest = !task.startTime.isValid()
            || task.startTime >= m_requestTime.addSecs(-clockSkewSeconds);
        isRequestedTask = typeMatches && startedAfterRequest;
    }
    if (!isRequestedTask)
        return;

    m_taskEnded = true;
    // Backends end the task before or after the dataset settles, so read the dataset again.
    if (m_accepted)
        refresh();
}

void OperationWatcher::evaluate(const DatasetInfo &dataset)
{
    if (!isSettledStatus(dataset.status))
        return;
    const bool changed = m_baseline && m_baseline->status != dataset.status;
    if (m_sawBusy || changed || m_taskEnded)
        finish(dataset);
}

void OperationWatcher::refresh()
{
    m_service->dataset(m_datasetId)
        .then(this, [this](const DatasetInfo &dataset) { handleDatasetChanged(dataset); })
        .onFailed(this, [this](const ServiceError &error) {
            qCWarning(lcCli) << "reading dataset" << m_datasetId << "failed:" << error.toString();
            Q_EMIT refreshFailed(error);
        });
}

void OperationWatcher::finish(const DatasetInfo &dataset)
{
    m_finished = true;
    if (m_pollTimer)
        m_pollTimer->stop();
    m_service->unwatchDataset(m_datasetId);
    qCDebug(lcCli) << "dataset" << m_datasetId << "settled at" << statusToApiString(dataset.status);
    m_promise.addResult(dataset);
    m_promise.finish();
}

} // namespace Accrete
