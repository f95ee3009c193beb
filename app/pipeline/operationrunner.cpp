#include "operationrunner.h"

#include <bit>
#include <deque>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLockFile>
#include <QMutex>
#include <QThread>
#include <QThreadPool>
#include <QWaitCondition>

#include "catalog.h"
#include "clustering.h"
#include "core/logging.h"
#include "mediastore.h"
#include "neighbourindex.h"
#include "pipeline/media/s3source.h"

namespace Accrete {

namespace {

QString trRunner(const char *text, const char *disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("Accrete::OperationRunner", text, disambiguation, n);
}

// The final status message of a task that ingested media, e.g. "Added 2 images and 1 video;
// 1 file rejected". English chooses the singular by hand because untranslated %n plurals
// read "1 image(s)".
QString ingestionSummary(const TaskResult &result)
{
    const int rejected = int(result.rejected.size());
    const QString images = result.addedImages == 1
        ? trRunner("1 image")
        : trRunner("%1 images").arg(result.addedImages);
    const QString videos = result.addedVideos == 1
        ? trRunner("1 video")
        : trRunner("%1 videos").arg(result.addedVideos);
    const QString rejections = rejected == 1 ? trRunner("1 file rejected")
                                             : trRunner("%1 files rejected").arg(rejected);
    return trRunner("Added %1 and %2; %3").arg(images, videos, rejections);
}

// Task items are written in transactions of this many rows while the source is listed.
constexpr int listingBatchSize = 500;
// Finished analyses are written to the catalog (and reported through mediaAdded) once this
// many are waiting, or after flushIntervalMs, whichever comes first.
constexpr size_t flushBatchSize = 50;
constexpr qint64 flushIntervalMs = 250;

// One entry on its way through the analysis pool.
struct AnalysisJob
{
    int sequence = 0;
    QString relativePath;
    QString origin;
    QString originPath;
    MediaStore::StoredFile stored;
    MediaAnalysis analysis;
    QString thumbnailPath;
};

// Finished jobs handed from the pool to the operation thread.
struct JobQueue
{
    QMutex mutex;
    QWaitCondition changed;
    std::deque<std::shared_ptr<AnalysisJob>> done;
    int inFlight = 0;
};

struct ItemState
{
    int sequence = 0;
    QString state;
    QString reason;
    qint64 mediaId = -1;
};

} // namespace

// Counts and result of the ingestion of one source.
struct OperationRunner::Ingestion
{
    int listed = 0;
    int processed = 0;
    int added = 0;
    TaskResult result;
};

OperationRunner::OperationRunner(OperationSpec spec, std::unique_ptr<QLockFile> lock,
                                 OperationEvents events)
    : m_spec(std::move(spec))
    , m_lock(std::move(lock))
    , m_events(std::move(events))
{
}

OperationRunner::~OperationRunner()
{
    cancel();
    wait();
    releaseLock();
}

void OperationRunner::start()
{
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("accrete-operation"));
    m_thread->start();
}

void OperationRunner::cancel()
{
    m_cancelled = true;
}

void OperationRunner::wait()
{
    if (m_thread)
        m_thread->wait();
}

void OperationRunner::releaseLock()
{
    if (m_lock && m_lock->isLocked())
        m_lock->unlock();
}

QString OperationRunner::indexPath() const
{
    return QDir(m_spec.datasetDir).filePath(QStringLiteral("index.hnsw"));
}

void OperationRunner::run()
{
    qCInfo(lcPipeline) << "operation started: dataset" << m_spec.datasetId << "task" << m_spec.taskId;
    {
        Catalog catalog(m_spec.datasetDir);
        std::optional<TaskInfo> task;
        if (catalog.open(Catalog::OpenMode::ExistingOnly))
            task = catalog.task(m_spec.taskId);
        if (!task) {
            qCWarning(lcPipeline) << "operation aborted: dataset" << m_spec.datasetId << "task"
                                  << m_spec.taskId << "cannot be read:" << catalog.errorString();
        } else {
            task->status = TaskStatus::Running;
            task->progressPercentage = 0;
            catalog.updateTask(*task);
            publishTask(catalog, *task);

            switch (m_spec.kind) {
            case OperationKind::CreateDataset:
                runCreate(catalog, *task);
                break;
            case OperationKind::AddMedia:
                runAddMedia(catalog, *task);
                break;
            case OperationKind::Reindex:
            case OperationKind::ResumeReindex:
                runReindex(catalog, *task);
                break;
            }
        }
    }
    releaseLock();
    qCInfo(lcPipeline) << "operation stopped: dataset" << m_spec.datasetId << "task" << m_spec.taskId;
    m_finished = true;
    if (m_events.finished)
        m_events.finished(m_spec.datasetId);
}

// --- Status and task reporting --------------------------------------------------------------

void OperationRunner::publishDataset(Catalog &catalog)
{
    if (auto info = catalog.dataset(); info && m_events.datasetChanged)
        m_events.datasetChanged(*info);
}

void OperationRunner::publishTask(Catalog &catalog, const TaskInfo &task)
{
    if (!m_events.taskChanged)
        return;
    TaskInfo published = task;
    if (auto info = catalog.dataset()) {
        published.datasetId = info->id;
        published.datasetName = info->displayName;
        published.datasetStatus = info->status;
    }
    m_events.taskChanged(published);
}

bool OperationRunner::changeStatus(Catalog &catalog, DatasetStatus status)
{
    if (!catalog.beginImmediate())
        return false;
    if (!catalog.transitionStatus(status, m_spec.taskId)) {
        catalog.rollback();
        return false;
    }
    catalog.setProgress(0);
    if (!catalog.commit())
        return false;
    publishDataset(catalog);
    return true;
}

void OperationRunner::finish(Catalog &catalog, TaskInfo &task, TaskStatus status,
                             const QString &error, const QList<DatasetStatus> &statuses)
{
    task.status = status;
    task.errorMessage = error;
    task.endTime = QDateTime::currentDateTimeUtc();
    task.progressPercentage = 100;
    // Replaces "N file(s) to process", which no longer describes the ended task.
    if (task.type == TaskType::MediaAddition || task.type == TaskType::DatasetCreation)
        task.statusMessage = ingestionSummary(task.result);

    // Every intermediate status is a row of its own in the timeline and a signal of its own.
    QList<DatasetInfo> snapshots;
    bool ok = catalog.beginImmediate();
    for (DatasetStatus next : statuses) {
        if (!ok)
            break;
        ok = catalog.transitionStatus(next, m_spec.taskId);
        if (ok) {
            catalog.setProgress(next == DatasetStatus::Error ? 0 : 100);
            if (auto info = catalog.dataset())
                snapshots.append(*info);
        }
    }
    ok = ok && catalog.updateTask(task);
    if (ok)
        ok = catalog.commit();
    else
        catalog.rollback();
    if (!ok) {
        qCCritical(lcPipeline) << "ending task" << task.taskId << "of dataset" << m_spec.datasetId
                               << "failed:" << catalog.errorString();
    }

    // Release the lock before reporting, so a client reacting to the final status can start
    // the next operation at once.
    releaseLock();
    publishTask(catalog, task);
    for (const DatasetInfo &info : snapshots) {
        if (m_events.datasetChanged)
            m_events.datasetChanged(info);
    }
    qCInfo(lcPipeline) << "task" << task.taskId << "of dataset" << m_spec.datasetId << "ended"
                       << taskStatusToApiString(status) << error;
}

// --- Operations -----------------------------------------------------------------------------

void OperationRunner::runCreate(Catalog &catalog, TaskInfo &task)
{
    if (!changeStatus(catalog, DatasetStatus::Indexing)) {
        finish(catalog, task, TaskStatus::Failed, catalog.errorString(), {});
        return;
    }

    Ingestion ingestion;
    ingest(catalog, task, ingestion);
    task.result = ingestion.result;

    if (ingestion.added == 0) {
        QString message = m_cancelled
            ? trRunner("cancelled: the application closed during the task")
            : trRunner("No usable media found in %1").arg(m_spec.request.files.join(QStringLiteral(", ")));
        if (!ingestion.result.rejected.isEmpty()) {
            message += QLatin1Char(' ')
                + trRunner("(%n file(s) rejected, first: %1: %2)", nullptr,
                           int(ingestion.result.rejected.size()))
                      .arg(ingestion.result.rejected.first().path,
                           ingestion.result.rejected.first().reason);
        }
        catalog.setFatalError(message);
        finish(catalog, task, TaskStatus::Failed, message, { DatasetStatus::Error });
        return;
    }

    if (!rebuildClusters(catalog, &task.result)) {
        const QString message = trRunner("Indexing failed: %1").arg(catalog.errorString());
        catalog.setFatalError(message);
        finish(catalog, task, TaskStatus::Failed, message, { DatasetStatus::Error });
        return;
    }
    // The first completed index fixes the model every later batch must use.
    catalog.setEmbeddingConfig(QLatin1String(builtinEmbeddingModel));
    finish(catalog, task, TaskStatus::Completed, QString(), { DatasetStatus::Ready });
}

void OperationRunner::runAddMedia(Catalog &catalog, TaskInfo &task)
{
    Ingestion ingestion;
    ingest(catalog, task, ingestion);
    task.result = ingestion.result;

    if (ingestion.added == 0) {
        QString message;
        if (m_cancelled)
            message = trRunner("cancelled: the application closed during the task");
        else if (ingestion.listed == 0)
            message = trRunner("No media files found in the source");
        else if (ingestion.result.skippedDuplicates == ingestion.listed)
            message = trRunner("Nothing added: all %n file(s) are already in the dataset", nullptr,
                               ingestion.listed);
        else
            message = trRunner("No media could be added: %n file(s) rejected", nullptr,
                               int(ingestion.result.rejected.size()));
        // The batch added nothing, so the dataset returns to the status it had.
        const DatasetStatus previous = catalog.previousStatus().value_or(DatasetStatus::Ready);
        const DatasetInfo info = catalog.dataset().value_or(DatasetInfo());
        DatasetStatus restored = previous == DatasetStatus::PartialIndex || info.nPendingItems > 0
            ? DatasetStatus::PartialIndex
            : DatasetStatus::Ready;
        finish(catalog, task, TaskStatus::Failed, message, { restored });
        return;
    }

    if (m_cancelled) {
        finish(catalog, task, TaskStatus::Failed,
               trRunner("cancelled: the application closed during the task"),
               { DatasetStatus::PartialIndex });
        return;
    }
    if (!m_spec.request.autoReindex) {
        finish(catalog, task, TaskStatus::Completed, QString(), { DatasetStatus::PartialIndex });
        return;
    }

    if (!changeStatus(catalog, DatasetStatus::Indexing) || !rebuildClusters(catalog, &task.result)) {
        const QString message = trRunner("Reindexing failed: %1").arg(catalog.errorString());
        catalog.setFatalError(message);
        finish(catalog, task, TaskStatus::Failed, message, { DatasetStatus::Error });
        return;
    }
    finish(catalog, task, TaskStatus::Completed, QString(), { DatasetStatus::Ready });
}

void OperationRunner::runReindex(Catalog &catalog, TaskInfo &task)
{
    const DatasetStatus current = catalog.dataset().value_or(DatasetInfo()).status;
    if (current == DatasetStatus::ReadOnly && !changeStatus(catalog, DatasetStatus::Indexing)) {
        finish(catalog, task, TaskStatus::Failed, catalog.errorString(), { DatasetStatus::PartialIndex });
        return;
    }
    if (!rebuildClusters(catalog, &task.result)) {
        const QString message = trRunner("Reindexing failed: %1").arg(catalog.errorString());
        catalog.setFatalError(message);
        finish(catalog, task, TaskStatus::Failed, message, { DatasetStatus::Error });
        return;
    }
    finish(catalog, task, TaskStatus::Completed, QString(), { DatasetStatus::Ready });
}

// --- Ingestion ------------------------------------------------------------------------------

std::unique_ptr<MediaSource> OperationRunner::openSource(QString *error) const
{
    const AddMediaRequest &request = m_spec.request;
    if (!request.archive.isEmpty())
        return openArchiveSource(request.archive, m_spec.limits);
    if (!request.path.isEmpty()) {
        const QFileInfo info(request.path);
        if (!info.exists()) {
            *error = trRunner("%1 does not exist").arg(request.path);
            return nullptr;
        }
        if (info.isFile() && hasArchiveExtension(info.fileName()))
            return openArchiveSource(info.absoluteFilePath(), m_spec.limits);
        return openFileSource({ info.absoluteFilePath() }, m_spec.limits);
    }
    if (!request.files.isEmpty())
        return openFileSource(request.files, m_spec.limits);
    if (!request.s3Uri.isEmpty()) {
        // Read from the environment at each start, so a resumed task uses the same settings
        // as the process that accepted it.
        return openS3Source(request.s3Uri, S3Config::fromEnvironment(), m_spec.limits);
    }
    *error = trRunner("The request names no media source");
    return nullptr;
}

bool OperationRunner::listTaskItems(Catalog &catalog, TaskInfo &task, Ingestion &ingestion)
{
    QString error;
    std::unique_ptr<MediaSource> source = openSource(&error);
    if (!source) {
        ingestion.result.rejected.append(
            { m_spec.request.archive + m_spec.request.path + m_spec.request.s3Uri, error });
        return false;
    }
    QList<Catalog::TaskItem> batch;
    SourceEntry entry;
    auto writeBatch = [&] {
        if (batch.isEmpty())
            return true;
        const bool ok = catalog.beginImmediate() && catalog.insertTaskItems(task.taskId, batch)
            && catalog.commit();
        batch.clear();
        return ok;
    };
    while (!m_cancelled && source->next(&entry)) {
        batch.append({ ingestion.listed++, entry.relativePath, entry.originPath, entry.size });
        if (batch.size() >= listingBatchSize && !writeBatch())
            return false;
    }
    if (!writeBatch())
        return false;
    task.statusMessage = trRunner("%n file(s) to process", nullptr, ingestion.listed);
    catalog.updateTask(task);
    publishTask(catalog, task);
    return true;
}

std::unique_ptr<NeighbourIndex> OperationRunner::loadIndex(Catalog &catalog,
                                                           QHash<qint64, quint64> *hashes)
{
    // The perceptual hashes of the indexed items, for the near-duplicate test at add time.
    std::unique_ptr<NeighbourIndex> index;
    int dimension = 0;
    qsizetype count = 0;
    catalog.forEachEmbedding([&](Catalog::EmbeddingRow &&row) {
        hashes->insert(row.id, row.perceptualHash);
        if (dimension == 0)
            dimension = int(row.embedding.size());
        ++count;
    });
    if (dimension == 0)
        return nullptr;

    QString error;
    index = NeighbourIndex::load(indexPath(), dimension, &error);
    if (index && index->size() == count)
        return index;

    // Missing, unreadable or stale (a process stopped between a catalog commit and the
    // index save): rebuild it from the catalog.
    qCInfo(lcPipeline) << "rebuilding the neighbour index of dataset" << m_spec.datasetId
                       << (error.isEmpty() ? QStringLiteral("(stale)") : error);
    index = std::make_unique<NeighbourIndex>(dimension, count + 1024);
    catalog.forEachEmbedding([&](Catalog::EmbeddingRow &&row) { index->add(row.id, row.embedding); });
    return index;
}

void OperationRunner::ingest(Catalog &catalog, TaskInfo &task, Ingestion &ingestion)
{
    // The task's item list is persisted before any entry is processed.
    if (!listTaskItems(catalog, task, ingestion) || m_cancelled)
        return;

    QString error;
    std::unique_ptr<MediaSource> source = openSource(&error);
    if (!source) {
        ingestion.result.rejected.append(
            { m_spec.request.archive + m_spec.request.path + m_spec.request.s3Uri, error });
        return;
    }

    MediaStore store(m_spec.datasetDir);
    store.cleanStaging();
    QHash<qint64, quint64> hashes;
    std::unique_ptr<NeighbourIndex> index = loadIndex(catalog, &hashes);
    const Clustering clustering(m_spec.clustering);

    auto queue = std::make_shared<JobQueue>();
    QThreadPool *pool = m_spec.analysisPool ? m_spec.analysisPool : QThreadPool::globalInstance();
    // Bounded in-flight work keeps memory flat however large the batch.
    const int maxInFlight = qMax(2, pool->maxThreadCount() * 2);

    QList<ItemState> states;
    QList<MediaItem> added;
    QElapsedTimer sinceFlush;
    sinceFlush.start();

    auto reject = [&](int sequence, const QString &path, const QString &reason) {
        ingestion.result.rejected.append({ path, reason });
        states.append({ sequence, QStringLiteral("rejected"), reason, -1 });
        ++ingestion.processed;
    };

    auto acceptJob = [&](AnalysisJob &job) {
        ++ingestion.processed;
        if (!job.analysis.ok) {
            ingestion.result.rejected.append({ job.relativePath, job.analysis.rejectionReason });
            states.append({ job.sequence, QStringLiteral("rejected"), job.analysis.rejectionReason, -1 });
            if (!job.stored.alreadyStored && catalog.findMediaBySha256(job.stored.sha256) < 0)
                store.remove(job.stored.relativePath);
            return;
        }

        Catalog::NewMedia media;
        media.kind = job.analysis.kind;
        media.relativePath = job.relativePath;
        media.origin = job.origin;
        media.originPath = job.originPath;
        media.sha256 = job.stored.sha256;
        media.size = job.stored.size;
        media.width = job.analysis.width;
        media.height = job.analysis.height;
        media.durationSeconds = job.analysis.durationSeconds;
        media.storePath = job.stored.relativePath;
        media.thumbnailPath = job.thumbnailPath;
        media.taskId = task.taskId;
        media.addedAt = QDateTime::currentDateTimeUtc();
        media.perceptualHash = job.analysis.features.perceptualHash;
        media.embedding = job.analysis.features.embedding;
        for (const PictureFeatures &frame : std::as_const(job.analysis.frames))
            media.frames.push_back({ frame.timestampSeconds, frame.perceptualHash, frame.embedding });

        // A partial update: search the existing items, so a duplicate is flagged at once.
        media.duplicateOf = catalog.findMediaBySha256(media.sha256);
        if (media.duplicateOf < 0 && index) {
            const auto neighbours = index->search(media.embedding, m_spec.clustering.neighbours);
            for (const NeighbourIndex::Neighbour &neighbour : neighbours) {
                const quint64 otherHash = hashes.value(neighbour.id);
                const bool hashed = media.perceptualHash != 0 && otherHash != 0;
                const int hamming = hashed ? std::popcount(media.perceptualHash ^ otherHash) : 64;
                if (clustering.isNearDuplicate(neighbour.similarity, hamming)) {
                    media.duplicateOf = neighbour.id;
                    break;
                }
            }
        }

        const qint64 id = catalog.insertMedia(media);
        if (id < 0) {
            reject(job.sequence, job.relativePath, trRunner("cannot write the catalog"));
            --ingestion.processed;
            return;
        }
        if (!media.embedding.empty()) {
            if (!index)
                index = std::make_unique<NeighbourIndex>(int(media.embedding.size()));
            index->add(id, media.embedding);
            hashes.insert(id, media.perceptualHash);
        }
        states.append({ job.sequence, QStringLiteral("added"), QString(), id });
        MediaItem item = catalog.toMediaItem(id, media);
        item.datasetId = m_spec.datasetId;
        added.append(item);
        ++ingestion.added;
        if (media.kind == MediaKind::Video)
            ++ingestion.result.addedVideos;
        else
            ++ingestion.result.addedImages;
    };

    // Writes finished analyses and item states in one transaction, then reports them.
    auto flush = [&](bool force) {
        std::deque<std::shared_ptr<AnalysisJob>> finished;
        {
            QMutexLocker locker(&queue->mutex);
            const bool due = force || queue->done.size() >= flushBatchSize
                || sinceFlush.elapsed() >= flushIntervalMs;
            if (!due)
                return;
            finished.swap(queue->done);
        }
        if (finished.empty() && states.isEmpty())
            return;
        sinceFlush.restart();
        if (!catalog.beginImmediate()) {
            // Another connection held the write lock past the busy timeout: keep the jobs
            // for the next flush.
            QMutexLocker locker(&queue->mutex);
            queue->done.insert(queue->done.begin(), finished.begin(), finished.end());
            return;
        }
        for (const auto &job : finished)
            acceptJob(*job);
        for (const ItemState &state : std::as_const(states))
            catalog.setTaskItemState(task.taskId, state.sequence, state.state, state.reason, state.mediaId);
        const int percent = ingestion.listed > 0 ? ingestion.processed * 100 / ingestion.listed : 100;
        catalog.setProgress(percent);
        task.progressPercentage = percent;
        task.result = ingestion.result;
        catalog.updateTask(task);
        catalog.commit();
        states.clear();

        if (!added.isEmpty() && m_events.mediaAdded)
            m_events.mediaAdded(m_spec.datasetId, added);
        added.clear();
        publishTask(catalog, task);
        publishDataset(catalog);
    };

    auto submit = [&](std::shared_ptr<AnalysisJob> job) {
        {
            QMutexLocker locker(&queue->mutex);
            ++queue->inFlight;
        }
        const AnalyzerSettings settings = m_spec.analyzer;
        pool->start([queue, store, settings, job] {
            job->analysis = analyzeMedia(store.absolutePath(job->stored.relativePath),
                                         job->relativePath, settings);
            if (job->analysis.ok)
                job->thumbnailPath = store.storeThumbnail(job->stored.sha256, job->analysis.thumbnail);
            job->analysis.thumbnail = QImage(); // the stored JPEG is what the catalog refers to
            QMutexLocker locker(&queue->mutex);
            queue->done.push_back(job);
            --queue->inFlight;
            queue->changed.wakeAll();
        });
    };

    auto waitForSlot = [&](int allowedInFlight) {
        for (;;) {
            {
                QMutexLocker locker(&queue->mutex);
                if (queue->inFlight <= allowedInFlight)
                    return;
                queue->changed.wait(&queue->mutex, flushIntervalMs);
            }
            flush(false);
        }
    };

    SourceEntry entry;
    int sequence = 0;
    while (!m_cancelled && source->next(&entry)) {
        const int current = sequence++;
        if (!entry.rejectionReason.isEmpty()) {
            reject(current, entry.relativePath, entry.rejectionReason);
            continue;
        }
        auto job = std::make_shared<AnalysisJob>();
        job->sequence = current;
        job->relativePath = entry.relativePath;
        job->origin = entry.origin;
        job->originPath = entry.originPath;
        QString storeError;
        if (!store.store(*source, entry, &job->stored, &storeError)) {
            reject(current, entry.relativePath, storeError);
            continue;
        }
        // An exact re-add of the same file (or a retried batch) is skipped by content hash.
        if (catalog.containsMedia(job->stored.sha256, entry.originPath)) {
            ++ingestion.result.skippedDuplicates;
            ++ingestion.processed;
            states.append({ current, QStringLiteral("skipped"), QString(), -1 });
            continue;
        }
        waitForSlot(maxInFlight - 1);
        submit(std::move(job));
        flush(false);
    }
    if (!source->errorString().isEmpty() && !m_cancelled) {
        const QString name
            = m_spec.request.archive + m_spec.request.path + m_spec.request.s3Uri;
        ingestion.result.rejected.append({ name, source->errorString() });
    }
    // The source is read twice: once to persist the task's item list, once to process it. A
    // file deleted in between is missing from the second pass, and is reported rather than
    // dropped without a word.
    // NOTE: only the number of such files is known here, not their names.
    if (!m_cancelled && sequence < ingestion.listed) {
        const QString name = m_spec.request.archive + m_spec.request.path + m_spec.request.s3Uri
            + m_spec.request.files.join(QStringLiteral(", "));
        ingestion.result.rejected.append(
            { name, trRunner("%n file(s) listed when the batch started were gone when they were read",
                             nullptr, ingestion.listed - sequence) });
    }

    waitForSlot(0);
    flush(true);

    if (index) {
        QString indexError;
        if (!index->save(indexPath(), &indexError))
            qCWarning(lcPipeline) << "saving the neighbour index of dataset" << m_spec.datasetId
                                  << "failed:" << indexError;
    }
}

// --- Reindex --------------------------------------------------------------------------------

bool OperationRunner::rebuildClusters(Catalog &catalog, TaskResult *result)
{
    const DatasetInfo info = catalog.dataset().value_or(DatasetInfo());
    std::unique_ptr<NeighbourIndex> index;
    std::vector<Clustering::Item> items;
    items.reserve(size_t(info.nImages + info.nVideos));
    const bool read = catalog.forEachEmbedding([&](Catalog::EmbeddingRow &&row) {
        if (!index && !row.embedding.empty())
            index = std::make_unique<NeighbourIndex>(int(row.embedding.size()),
                                                     qMax<qsizetype>(16, info.nImages + info.nVideos));
        if (index)
            index->add(row.id, row.embedding);
        items.push_back({ row.id, row.sha256, row.perceptualHash });
    });
    if (!read)
        return false;

    Clustering::Result clusters;
    if (index)
        clusters = Clustering(m_spec.clustering).run(items, *index);
    if (!catalog.beginImmediate())
        return false;
    if (!catalog.storeClustering(clusters)) {
        catalog.rollback();
        return false;
    }
    if (!catalog.commit())
        return false;

    if (index) {
        QString error;
        if (!index->save(indexPath(), &error))
            qCWarning(lcPipeline) << "saving the neighbour index of dataset" << m_spec.datasetId
                                  << "failed:" << error;
    }
    result->clusters = clusters.clusters;
    result->duplicateGroups = clusters.duplicateGroups;
    qCInfo(lcPipeline) << "dataset" << m_spec.datasetId << "reindexed:" << items.size() << "items,"
                       << clusters.clusters << "clusters," << clusters.duplicateGroups
                       << "duplicate groups," << clusters.outliers << "outliers";
    if (m_events.mediaChanged)
        m_events.mediaChanged(m_spec.datasetId);
    return true;
}

} // namespace Accrete
