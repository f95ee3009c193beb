#include "embeddedservice.h"

#include <algorithm>

#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QLockFile>
#include <QStandardPaths>
#include <QThreadPool>
#include <QUuid>
#include <QtConcurrent>

#include "catalog.h"
#include "core/logging.h"
#include "operationrunner.h"
#include "pipeline/media/s3source.h"

namespace Accrete {

namespace {

// Limit for each request of the S3 check that precedes accepting an add_media request.
constexpr int s3CheckTimeoutSeconds = 30;

QString lockPath(const QString &datasetDir)
{
    return QDir(datasetDir).filePath(QStringLiteral("operation.lock"));
}

// A lock file is stale only when its owner process is gone. The age-based staleness of
// QLockFile is off: a live operation may hold the lock for hours.
std::unique_ptr<QLockFile> makeLock(const QString &datasetDir)
{
    auto lock = std::make_unique<QLockFile>(lockPath(datasetDir));
    lock->setStaleLockTime(0);
    return lock;
}

QStringList datasetDirs(const QString &dataDir)
{
    QStringList dirs;
    const QFileInfoList entries = QDir(dataDir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QFileInfo &entry : entries) {
        if (QFileInfo::exists(Catalog::catalogPath(entry.absoluteFilePath())))
            dirs.append(entry.absoluteFilePath());
    }
    return dirs;
}

ServiceError catalogError(const Catalog &catalog)
{
    return ServiceError(500, EmbeddedService::tr("The dataset catalog could not be used: %1")
                                 .arg(catalog.errorString()));
}

// Reads every task of the data directory that matches the filters of `query`.
QList<TaskInfo> collectTasks(const QString &dataDir, const TaskQuery &query)
{
    QList<TaskInfo> result;
    for (const QString &dir : datasetDirs(dataDir)) {
        Catalog catalog(dir);
        if (!catalog.open(Catalog::OpenMode::ExistingOnly))
            continue;
        const std::optional<DatasetInfo> info = catalog.dataset();
        if (!info)
            continue;
        if (!query.datasetId.isEmpty() && info->id != query.datasetId)
            continue;
        if (!query.datasetName.isEmpty()
            && !info->displayName.contains(query.datasetName, Qt::CaseInsensitive))
            continue;
        const QList<TaskInfo> tasks = catalog.tasks();
        for (TaskInfo task : tasks) {
            if (query.type && task.type != *query.type)
                continue;
            if (query.status && task.status != *query.status)
                continue;
            task.datasetId = info->id;
            task.datasetName = info->displayName;
            task.datasetStatus = info->status;
            result.append(task);
        }
    }
    return result;
}

void sortTasks(QList<TaskInfo> &tasks, const QString &sortBy, bool ascending)
{
    auto key = [&sortBy](const TaskInfo &task) -> QString {
        if (sortBy == QLatin1String("end_time"))
            return apiTimeString(task.endTime);
        if (sortBy == QLatin1String("task_type"))
            return taskTypeToApiString(task.type);
        if (sortBy == QLatin1String("status"))
            return taskStatusToApiString(task.status);
        if (sortBy == QLatin1String("dataset_name"))
            return task.datasetName;
        return apiTimeString(task.startTime);
    };
    std::stable_sort(tasks.begin(), tasks.end(), [&](const TaskInfo &a, const TaskInfo &b) {
        const QString keyA = key(a);
        const QString keyB = key(b);
        if (keyA == keyB)
            return ascending ? a.taskId < b.taskId : a.taskId > b.taskId;
        return ascending ? keyA < keyB : keyA > keyB;
    });
}

} // namespace

EmbeddedService::EmbeddedService(const QString &dataDir, QObject *parent)
    : DatasetService(parent)
    , m_dataDir(QDir(dataDir).absolutePath())
    , m_analysisPool(std::make_unique<QThreadPool>())
{
    m_analysisPool->setMaxThreadCount(QThread::idealThreadCount());
    m_analysisPool->setObjectName(QStringLiteral("accrete-analysis"));
    if (!QDir().mkpath(m_dataDir))
        qCWarning(lcPipeline) << "cannot create the data directory" << m_dataDir;
    qCInfo(lcPipeline) << "embedded service started on" << m_dataDir;
    recoverInterruptedOperations();
}

EmbeddedService::~EmbeddedService()
{
    for (auto &[datasetId, runner] : m_running)
        runner->cancel();
    // Each runner's destructor waits for its thread, which waits for its analyses.
    m_running.clear();
    m_analysisPool->waitForDone();
    qCInfo(lcPipeline) << "embedded service stopped on" << m_dataDir;
}

QString EmbeddedService::defaultDataDir()
{
    const QString fromEnvironment = qEnvironmentVariable("ACCRETE_DATA_DIR");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString EmbeddedService::interruptedReason()
{
    return tr("interrupted: the process stopped during the task");
}

QString EmbeddedService::connectionName() const
{
    return tr("Embedded (%1)").arg(QDir::toNativeSeparators(m_dataDir));
}

QString EmbeddedService::datasetDir(const QString &datasetId) const
{
    return QDir(m_dataDir).filePath(datasetId);
}

int EmbeddedService::runningOperationCount() const
{
    return int(std::count_if(m_running.begin(), m_running.end(),
                             [](const auto &entry) { return !entry.second->isFinished(); }));
}

void EmbeddedService::emitQueued(const DatasetInfo &dataset)
{
    QMetaObject::invokeMethod(
        this, [this, dataset] { Q_EMIT datasetChanged(dataset); }, Qt::QueuedConnection);
}

void EmbeddedService::emitQueued(const TaskInfo &task)
{
    QMetaObject::invokeMethod(
        this, [this, task] { Q_EMIT taskChanged(task); }, Qt::QueuedConnection);
}

// --- Reading --------------------------------------------------------------------------------

QFuture<QList<DatasetInfo>> EmbeddedService::listDatasets()
{
    return QtConcurrent::run([dataDir = m_dataDir] {
        QList<DatasetInfo> datasets;
        for (const QString &dir : datasetDirs(dataDir)) {
            Catalog catalog(dir);
            if (!catalog.open(Catalog::OpenMode::ExistingOnly))
                continue;
            if (auto info = catalog.dataset())
                datasets.append(*info);
        }
        std::sort(datasets.begin(), datasets.end(), [](const DatasetInfo &a, const DatasetInfo &b) {
            return a.createdAt < b.createdAt;
        });
        return datasets;
    });
}

QFuture<DatasetInfo> EmbeddedService::dataset(const QString &datasetId)
{
    if (datasetId.isEmpty() || datasetId.contains(QLatin1Char('/')))
        return QtFuture::makeExceptionalFuture<DatasetInfo>(ServiceError::notFound());
    return QtConcurrent::run([dir = datasetDir(datasetId)] {
        Catalog catalog(dir);
        if (!catalog.open(Catalog::OpenMode::ExistingOnly))
            throw ServiceError::notFound();
        std::optional<DatasetInfo> info = catalog.dataset();
        if (!info)
            throw catalogError(catalog);
        return *info;
    });
}

QFuture<TaskPage> EmbeddedService::tasks(const TaskQuery &query)
{
    return QtConcurrent::run([dataDir = m_dataDir, query] {
        QList<TaskInfo> tasks = collectTasks(dataDir, query);
        sortTasks(tasks, query.sortBy, query.ascending);
        TaskPage page;
        page.total = int(tasks.size());
        page.page = qMax(1, query.page);
        page.pageSize = qMax(1, query.pageSize);
        const qsizetype first = qsizetype(page.page - 1) * page.pageSize;
        if (first < tasks.size())
            page.tasks = tasks.mid(first, page.pageSize);
        return page;
    });
}

QFuture<TaskInfo> EmbeddedService::task(const QString &taskId)
{
    return QtConcurrent::run([dataDir = m_dataDir, taskId] {
        for (const QString &dir : datasetDirs(dataDir)) {
            Catalog catalog(dir);
            if (!catalog.open(Catalog::OpenMode::ExistingOnly))
                continue;
            std::optional<TaskInfo> task = catalog.task(taskId);
            if (!task)
                continue;
            if (auto info = catalog.dataset()) {
                task->datasetId = info->id;
                task->datasetName = info->displayName;
                task->datasetStatus = info->status;
            }
            return *task;
        }
        throw ServiceError(404, tr("Task not found"));
    });
}

QFuture<MediaPage> EmbeddedService::media(const MediaQuery &query)
{
    if (query.datasetId.isEmpty() || query.datasetId.contains(QLatin1Char('/')))
        return QtFuture::makeExceptionalFuture<MediaPage>(ServiceError::notFound());
    return QtConcurrent::run([dir = datasetDir(query.datasetId), query] {
        Catalog catalog(dir);
        if (!catalog.open(Catalog::OpenMode::ExistingOnly))
            throw ServiceError::notFound();
        return catalog.media(query);
    });
}

QFuture<MediaItem> EmbeddedService::mediaItem(const QString &datasetId, const QString &mediaId)
{
    if (datasetId.isEmpty() || datasetId.contains(QLatin1Char('/')))
        return QtFuture::makeExceptionalFuture<MediaItem>(ServiceError::notFound());
    return QtConcurrent::run([dir = datasetDir(datasetId), datasetId, mediaId] {
        Catalog catalog(dir);
        if (!catalog.open(Catalog::OpenMode::ExistingOnly))
            throw ServiceError::notFound();
        bool isNumber = false;
        const qint64 id = mediaId.toLongLong(&isNumber);
        std::optional<MediaItem> item;
        if (isNumber && QString::number(id) == mediaId) // ids are canonical decimal numbers
            item = catalog.mediaItem(id);
        if (!item)
            throw ServiceError::mediaNotFound(datasetId, mediaId);
        return *item;
    });
}

QFuture<QImage> EmbeddedService::thumbnail(const MediaItem &item, const QSize &size)
{
    return QtConcurrent::run([item, size] {
        // Fall back to the stored file for items whose thumbnail could not be written.
        const QString path = item.thumbnailUri.isEmpty() ? item.mediaUri : item.thumbnailUri;
        QImageReader reader(path);
        reader.setAutoTransform(true);
        const QSize original = reader.size();
        if (original.isValid() && size.isValid())
            reader.setScaledSize(original.scaled(size, Qt::KeepAspectRatio));
        QImage image = reader.read();
        if (image.isNull()) {
            throw ServiceError(404, tr("The thumbnail of %1 could not be read: %2")
                                        .arg(item.relativePath, reader.errorString()));
        }
        return image;
    });
}

void EmbeddedService::watchDataset(const QString &) { }

void EmbeddedService::unwatchDataset(const QString &) { }

// --- Operations -----------------------------------------------------------------------------

QFuture<DatasetInfo> EmbeddedService::createDataset(const CreateDatasetRequest &request)
{
    if (request.path.startsWith(QLatin1String("s3://"))) {
        // NOTE: datasets are created from local folders only; S3 objects can be added to an
        // existing dataset with addMedia.
        return QtFuture::makeExceptionalFuture<DatasetInfo>(ServiceError::invalidS3Uri(request.path));
    }
    const QFileInfo source(request.path);
    if (request.path.isEmpty() || !source.exists()) {
        return QtFuture::makeExceptionalFuture<DatasetInfo>(ServiceError(
            400, tr("The folder %1 does not exist; choose an existing folder of images or videos.")
                     .arg(request.path)));
    }

    DatasetInfo info;
    info.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    info.displayName = request.name.isEmpty() ? source.fileName() : request.name;
    info.sourceType = QStringLiteral("LOCAL");
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.status = DatasetStatus::Draft;

    const QString dir = datasetDir(info.id);
    QDir().mkpath(dir);
    std::unique_ptr<QLockFile> lock = makeLock(dir);
    Catalog catalog(dir);
    if (!lock->tryLock(0) || !catalog.open(Catalog::OpenMode::CreateIfMissing))
        return QtFuture::makeExceptionalFuture<DatasetInfo>(catalogError(catalog));

    TaskInfo task;
    task.taskId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    task.type = TaskType::DatasetCreation;
    task.status = TaskStatus::Initializing;
    task.startTime = QDateTime::currentDateTimeUtc();
    task.createdBy = QStringLiteral("local");
    task.progressPercentage = 0;
    if (!catalog.beginImmediate() || !catalog.insertDataset(info, source.absoluteFilePath())
        || !catalog.insertTask(task) || !catalog.commit()) {
        catalog.rollback();
        return QtFuture::makeExceptionalFuture<DatasetInfo>(catalogError(catalog));
    }
    const DatasetInfo created = catalog.dataset().value_or(info);
    task.datasetId = created.id;
    task.datasetName = created.displayName;
    task.datasetStatus = created.status;

    OperationSpec spec;
    spec.kind = OperationKind::CreateDataset;
    spec.datasetDir = dir;
    spec.datasetId = info.id;
    spec.taskId = task.taskId;
    spec.request = AddMediaRequest::fromLocalPath(source.absoluteFilePath());
    spec.clustering = m_clustering;
    spec.analysisPool = m_analysisPool.get();

    qCInfo(lcPipeline) << "dataset" << info.id << "created from" << source.absoluteFilePath()
                       << "task" << task.taskId;
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT datasetListChanged(); }, Qt::QueuedConnection);
    emitQueued(created);
    emitQueued(task);
    auto runner = std::make_unique<OperationRunner>(std::move(spec), std::move(lock), OperationEvents());
    startOperation(std::move(runner));
    return QtFuture::makeReadyFuture(created);
}

QFuture<AddMediaAccepted> EmbeddedService::addMedia(const QString &datasetId,
                                                    const AddMediaRequest &request)
{
    if (auto rejection = request.validate())
        return QtFuture::makeExceptionalFuture<AddMediaAccepted>(*rejection);
    try {
        if (!request.s3Uri.isEmpty()) {
            if (datasetId.isEmpty() || datasetId.contains(QLatin1Char('/'))
                || !QFileInfo::exists(Catalog::catalogPath(datasetDir(datasetId))))
                throw ServiceError::notFound();
            return checkS3Source(request).then(this, [this, datasetId, request] {
                const QString taskId = acceptOperation(datasetId, DatasetOperation::AddMedia, request);
                return AddMediaAccepted{ datasetId, taskId };
            });
        }
        const QString taskId = acceptOperation(datasetId, DatasetOperation::AddMedia, request);
        return QtFuture::makeReadyFuture(AddMediaAccepted{ datasetId, taskId });
    } catch (const ServiceError &error) {
        return QtFuture::makeExceptionalFuture<AddMediaAccepted>(error);
    }
}

// The API rejects a missing or empty S3 location with 400 on the request itself, not with a
// failed task, so the first listing page (or the manifest) is fetched before the operation is
// accepted. The check runs on a thread of the global pool, so the caller's thread does not wait
// on the network. Each of its requests is limited to s3CheckTimeoutSeconds by libcurl.
QFuture<void> EmbeddedService::checkS3Source(const AddMediaRequest &request)
{
    const QString uri = request.s3Uri;
    if (!request.assumeRole.isEmpty()) {
        // NOTE: the embedded pipeline has no STS client, so assume_role is accepted but not
        // used: objects are read with the credentials of the environment.
        qCWarning(lcPipeline) << "assume_role is ignored by the embedded pipeline; reading" << uri
                              << "with the AWS credentials of the environment";
    }
    S3Config config = S3Config::fromEnvironment();
    config.requestTimeoutSeconds = s3CheckTimeoutSeconds;
    return QtConcurrent::run([uri, config] {
        QString reason;
        if (!probeS3Source(uri, config, &reason)) {
            qCWarning(lcPipeline) << "rejected s3_uri" << uri << "at" << config.endpointName()
                                  << ":" << reason;
            throw ServiceError::invalidS3Uri(uri);
        }
    });
}

QFuture<void> EmbeddedService::reindex(const QString &datasetId)
{
    try {
        acceptOperation(datasetId, DatasetOperation::Reindex, AddMediaRequest());
        return QtFuture::makeReadyFuture();
    } catch (const ServiceError &error) {
        return QtFuture::makeExceptionalFuture<void>(error);
    }
}

void EmbeddedService::reapOperation(const QString &datasetId)
{
    const auto found = m_running.find(datasetId);
    if (found == m_running.end())
        return;
    // The lock is free, so the runner has ended its task; its thread is about to exit.
    found->second->wait();
    m_running.erase(found);
}

QString EmbeddedService::acceptOperation(const QString &datasetId, DatasetOperation operation,
                                         const AddMediaRequest &request)
{
    const QString dir = datasetDir(datasetId);
    if (datasetId.isEmpty() || datasetId.contains(QLatin1Char('/'))
        || !QFileInfo::exists(Catalog::catalogPath(dir)))
        throw ServiceError::notFound();

    Catalog catalog(dir);
    if (!catalog.open(Catalog::OpenMode::ExistingOnly))
        throw catalogError(catalog);
    // The write lock first: a competing accept in another process waits here until this
    // one has committed its task row, so it reads the right running task type below.
    if (!catalog.beginImmediate())
        throw catalogError(catalog);
    const std::optional<DatasetInfo> info = catalog.dataset();
    if (!info) {
        catalog.rollback();
        throw catalogError(catalog);
    }

    DatasetState state;
    state.datasetId = datasetId;
    state.status = info->status;
    state.hasEmbeddingConfig = info->hasEmbeddingConfig();
    std::unique_ptr<QLockFile> lock = makeLock(dir);
    if (!lock->tryLock(0)) {
        // Another operation (here or in another process) has locked the dataset. Its task
        // row may have ended just before it released the lock, so fall back to the newest task.
        std::optional<TaskInfo> running = catalog.runningTask();
        if (!running)
            running = catalog.latestTask();
        state.runningTask = running ? running->type : StatusMachine::taskTypeFor(operation);
    }
    if (auto rejection = StatusMachine::checkOperation(operation, state)) {
        catalog.rollback();
        qCInfo(lcPipeline) << "rejected" << operationApiName(operation) << "on dataset"
                           << datasetId << rejection->toString();
        throw *rejection;
    }

    TaskInfo task;
    task.taskId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    task.type = StatusMachine::taskTypeFor(operation);
    task.status = TaskStatus::Initializing;
    task.startTime = QDateTime::currentDateTimeUtc();
    task.createdBy = QStringLiteral("local");
    task.progressPercentage = 0;
    if (!catalog.transitionStatus(DatasetStatus::ReadOnly, task.taskId) || !catalog.setProgress(0)
        || !catalog.insertTask(task) || !catalog.commit()) {
        catalog.rollback();
        throw catalogError(catalog);
    }
    const DatasetInfo updated = catalog.dataset().value_or(*info);
    task.datasetId = datasetId;
    task.datasetName = updated.displayName;
    task.datasetStatus = updated.status;

    reapOperation(datasetId);

    OperationSpec spec;
    spec.kind = operation == DatasetOperation::Reindex ? OperationKind::Reindex : OperationKind::AddMedia;
    spec.datasetDir = dir;
    spec.datasetId = datasetId;
    spec.taskId = task.taskId;
    spec.request = request;
    spec.clustering = m_clustering;
    spec.analysisPool = m_analysisPool.get();

    qCInfo(lcPipeline) << "accepted" << operationApiName(operation) << "on dataset" << datasetId
                       << "task" << task.taskId;
    emitQueued(updated);
    emitQueued(task);
    startOperation(std::make_unique<OperationRunner>(std::move(spec), std::move(lock), OperationEvents()));
    return task.taskId;
}

void EmbeddedService::startOperation(std::unique_ptr<OperationRunner> runner)
{
    // The runner calls these on its own thread; each is forwarded to this object's thread,
    // where the queued calls keep their order.
    OperationEvents events;
    events.datasetChanged = [this](const DatasetInfo &info) { emitQueued(info); };
    events.taskChanged = [this](const TaskInfo &task) { emitQueued(task); };
    events.mediaAdded = [this](const QString &datasetId, const QList<MediaItem> &items) {
        QMetaObject::invokeMethod(
            this, [this, datasetId, items] { Q_EMIT mediaAdded(datasetId, items); },
            Qt::QueuedConnection);
    };
    events.mediaChanged = [this](const QString &datasetId) {
        QMetaObject::invokeMethod(
            this, [this, datasetId] { Q_EMIT mediaChanged(datasetId); }, Qt::QueuedConnection);
    };
    events.finished = [this](const QString &datasetId) {
        QMetaObject::invokeMethod(
            this, [this, datasetId] { finishOperation(datasetId); }, Qt::QueuedConnection);
    };
    runner->setEvents(std::move(events));
    const QString datasetId = runner->datasetId();
    OperationRunner *started = runner.get();
    m_running[datasetId] = std::move(runner);
    started->start();
}

void EmbeddedService::finishOperation(const QString &datasetId)
{
    const auto found = m_running.find(datasetId);
    if (found == m_running.end() || !found->second->isFinished())
        return;
    found->second->wait();
    m_running.erase(found);
}

// --- Crash recovery -------------------------------------------------------------------------

void EmbeddedService::recoverInterruptedOperations()
{
    for (const QString &dir : datasetDirs(m_dataDir))
        recoverDataset(dir);
}

void EmbeddedService::recoverDataset(const QString &dir)
{
    Catalog catalog(dir);
    if (!catalog.open(Catalog::OpenMode::ExistingOnly))
        return;
    const std::optional<DatasetInfo> info = catalog.dataset();
    if (!info)
        return;
    const bool hasRunningTask = catalog.runningTask().has_value();
    if (!isBusyStatus(info->status) && !hasRunningTask)
        return;

    // A live process (another service on this data directory) holds the lock: not ours.
    std::unique_ptr<QLockFile> lock = makeLock(dir);
    if (!lock->tryLock(0))
        return;

    const QString reason = interruptedReason();
    qCWarning(lcPipeline) << "dataset" << info->id << "was left" << statusToApiString(info->status)
                          << "by a stopped process; settling it";
    if (!catalog.beginImmediate())
        return;

    QList<TaskInfo> ended;
    while (std::optional<TaskInfo> running = catalog.runningTask()) {
        running->status = TaskStatus::Failed;
        running->errorMessage = reason;
        running->endTime = QDateTime::currentDateTimeUtc();
        if (!catalog.updateTask(*running)) {
            catalog.rollback();
            return;
        }
        ended.append(*running);
    }

    QList<DatasetStatus> path;
    std::optional<TaskInfo> resumed;
    switch (info->status) {
    case DatasetStatus::Draft:
        path = { DatasetStatus::Error };
        break;
    case DatasetStatus::Indexing:
        if (info->hasEmbeddingConfig()) {
            // A reindex stopped: everything it needs is in the catalog, so run it again.
            TaskInfo task;
            task.taskId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            task.type = TaskType::Reindex;
            task.status = TaskStatus::Initializing;
            task.statusMessage = tr("Resumes a reindex that a stopped process left unfinished");
            task.startTime = QDateTime::currentDateTimeUtc();
            task.createdBy = QStringLiteral("local");
            resumed = task;
        } else {
            path = { DatasetStatus::Error };
        }
        break;
    case DatasetStatus::ReadOnly: {
        const DatasetStatus previous = catalog.previousStatus().value_or(DatasetStatus::Ready);
        path = { info->nPendingItems > 0 || previous == DatasetStatus::PartialIndex
                     ? DatasetStatus::PartialIndex
                     : DatasetStatus::Ready };
        break;
    }
    case DatasetStatus::PartialIndex:
    case DatasetStatus::Ready:
    case DatasetStatus::Error:
        break;
    }

    const QString taskId = ended.isEmpty() ? QString() : ended.first().taskId;
    bool ok = true;
    for (DatasetStatus next : path)
        ok = ok && catalog.transitionStatus(next, taskId);
    if (ok && path.contains(DatasetStatus::Error))
        ok = catalog.setFatalError(reason);
    if (ok && resumed)
        ok = catalog.insertTask(*resumed);
    if (!ok || !catalog.commit()) {
        catalog.rollback();
        qCCritical(lcPipeline) << "settling dataset" << info->id << "failed:" << catalog.errorString();
        return;
    }
    for (const TaskInfo &task : std::as_const(ended))
        qCWarning(lcPipeline) << "task" << task.taskId << "of dataset" << info->id << "ended FAILED:" << reason;

    if (resumed) {
        OperationSpec spec;
        spec.kind = OperationKind::ResumeReindex;
        spec.datasetDir = dir;
        spec.datasetId = info->id;
        spec.taskId = resumed->taskId;
        spec.clustering = m_clustering;
        spec.analysisPool = m_analysisPool.get();
        startOperation(std::make_unique<OperationRunner>(std::move(spec), std::move(lock), OperationEvents()));
    }
}

} // namespace Accrete
