#include "catalog.h"

#include <atomic>
#include <cstring>

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "core/logging.h"
#include "core/statusmachine.h"

namespace Accrete {

namespace {

std::atomic<int> connectionCounter{ 0 };

// Milliseconds SQLite waits for another connection's write lock before SQLITE_BUSY.
constexpr int busyTimeoutMs = 10000;

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QDateTime timeFromText(const QString &text)
{
    if (text.isEmpty())
        return QDateTime();
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    return time.toUTC();
}

QVariant nullableText(const QString &text)
{
    return text.isNull() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

QByteArray vectorBlob(const std::vector<float> &vector)
{
    return QByteArray(reinterpret_cast<const char *>(vector.data()),
                      qsizetype(vector.size() * sizeof(float)));
}

std::vector<float> blobVector(const QByteArray &blob)
{
    std::vector<float> vector(size_t(blob.size()) / sizeof(float));
    if (!vector.empty())
        std::memcpy(vector.data(), blob.constData(), vector.size() * sizeof(float));
    return vector;
}

const char *const schemaStatements[] = {
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "CREATE TABLE dataset ("
    " id TEXT PRIMARY KEY, display_name TEXT NOT NULL, description TEXT, source_type TEXT,"
    " source_path TEXT, created_at TEXT NOT NULL, status TEXT NOT NULL, previous_status TEXT,"
    " progress INTEGER NOT NULL DEFAULT 0, fatal_error_msg TEXT, embedding_config TEXT,"
    " n_clusters INTEGER NOT NULL DEFAULT 0, n_duplicate_groups INTEGER NOT NULL DEFAULT 0,"
    " n_outliers INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE media ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, relative_path TEXT NOT NULL,"
    " origin TEXT NOT NULL, origin_path TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " size INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,"
    " duration_seconds REAL NOT NULL DEFAULT 0, store_path TEXT NOT NULL, thumbnail_path TEXT,"
    " task_id TEXT, added_at TEXT NOT NULL, clustered INTEGER NOT NULL DEFAULT 0,"
    " cluster_id INTEGER NOT NULL DEFAULT -1, duplicate_group INTEGER NOT NULL DEFAULT -1,"
    " outlier_score REAL NOT NULL DEFAULT 0, duplicate_of INTEGER REFERENCES media(id))",
    "CREATE INDEX media_sha256 ON media(sha256)",
    "CREATE INDEX media_origin ON media(origin_path, sha256)",
    "CREATE TABLE embeddings ("
    " media_id INTEGER PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,"
    " perceptual_hash INTEGER NOT NULL, vector BLOB NOT NULL)",
    "CREATE TABLE video_frames ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,"
    " frame_index INTEGER NOT NULL, timestamp_seconds REAL NOT NULL,"
    " perceptual_hash INTEGER NOT NULL, embedding BLOB NOT NULL)",
    "CREATE INDEX video_frames_media ON video_frames(media_id)",
    "CREATE TABLE near_duplicates ("
    " first_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,"
    " second_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,"
    " similarity REAL NOT NULL, hamming_distance INTEGER NOT NULL,"
    " PRIMARY KEY (first_id, second_id))",
    "CREATE TABLE tasks ("
    " id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, status_message TEXT,"
    " progress INTEGER, error_message TEXT, start_time TEXT NOT NULL, end_time TEXT,"
    " created_by TEXT, result TEXT)",
    "CREATE TABLE task_items ("
    " task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE, sequence INTEGER NOT NULL,"
    " relative_path TEXT NOT NULL, origin_path TEXT NOT NULL, size INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending', reason TEXT, media_id INTEGER,"
    " PRIMARY KEY (task_id, sequence))",
    "CREATE TABLE status_timeline ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, status TEXT NOT NULL, time TEXT NOT NULL,"
    " task_id TEXT)",
};

const char *const taskColumns =
    "id, type, status, status_message, progress, error_message, start_time, end_time,"
    " created_by, result";

const char *const mediaColumns =
    "id, kind, relative_path, origin, origin_path, sha256, size, width, height,"
    " duration_seconds, store_path, thumbnail_path, task_id, added_at, clustered, cluster_id,"
    " duplicate_group, outlier_score, duplicate_of";

} // namespace

Catalog::Catalog(const QString &datasetDir)
    : m_datasetDir(QDir(datasetDir).absolutePath())
    , m_connectionName(QStringLiteral("accrete-catalog-%1").arg(connectionCounter.fetch_add(1)))
{
}

Catalog::~Catalog()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

QString Catalog::catalogPath(const QString &datasetDir)
{
    return QDir(datasetDir).filePath(QStringLiteral("catalog.sqlite"));
}

bool Catalog::fail(const QString &what, const QString &detail)
{
    m_error = QStringLiteral("%1 in %2: %3").arg(what, catalogPath(m_datasetDir), detail);
    qCWarning(lcPipeline).noquote() << m_error;
    return false;
}

bool Catalog::exec(const QString &statement)
{
    QSqlQuery query(m_db);
    if (!query.exec(statement))
        return fail(QStringLiteral("SQL failed"), query.lastError().text());
    return true;
}

bool Catalog::open(OpenMode mode)
{
    const QString path = catalogPath(m_datasetDir);
    if (mode == OpenMode::ExistingOnly && !QFileInfo::exists(path)) {
        m_error = QStringLiteral("%1 does not exist").arg(path);
        return false;
    }
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeoutMs));
    if (!m_db.open())
        return fail(QStringLiteral("opening the catalog failed"), m_db.lastError().text());
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !exec(QStringLiteral("PRAGMA foreign_keys=ON"))
        || !exec(QStringLiteral("PRAGMA synchronous=NORMAL")))
        return false;

    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'")))
        return fail(QStringLiteral("reading the schema failed"), query.lastError().text());
    const bool hasSchema = query.next() && query.value(0).toInt() > 0;
    if (!hasSchema)
        return createSchema();

    if (!query.exec(QStringLiteral("SELECT max(version) FROM schema_version")) || !query.next())
        return fail(QStringLiteral("reading the schema version failed"), query.lastError().text());
    const int version = query.value(0).toInt();
    if (version != schemaVersion) {
        return fail(QStringLiteral("unsupported schema"),
                    QStringLiteral("version %1, expected %2").arg(version).arg(schemaVersion));
    }
    return true;
}

bool Catalog::createSchema()
{
    if (!beginImmediate())
        return false;
    // Another connection may have created the schema while this one waited for the lock.
    QSqlQuery query(m_db);
    if (query.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'"))
        && query.next() && query.value(0).toInt() > 0) {
        return commit();
    }
    for (const char *statement : schemaStatements) {
        if (!exec(QLatin1String(statement))) {
            rollback();
            return false;
        }
    }
    if (!exec(QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(schemaVersion))) {
        rollback();
        return false;
    }
    return commit();
}

bool Catalog::beginImmediate()
{
    return exec(QStringLiteral("BEGIN IMMEDIATE"));
}

bool Catalog::commit()
{
    return exec(QStringLiteral("COMMIT"));
}

void Catalog::rollback()
{
    QSqlQuery query(m_db);
    query.exec(QStringLiteral("ROLLBACK"));
}

// --- Dataset row ---------------------------------------------------------------------------

bool Catalog::insertDataset(const DatasetInfo &dataset, const QString &sourcePath)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "INSERT INTO dataset (id, display_name, description, source_type, source_path,"
        " created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(dataset.id);
    query.addBindValue(dataset.displayName);
    query.addBindValue(nullableText(dataset.description));
    query.addBindValue(nullableText(dataset.sourceType));
    query.addBindValue(nullableText(sourcePath));
    query.addBindValue(timeText(dataset.createdAt));
    query.addBindValue(statusToApiString(dataset.status));
    if (!query.exec())
        return fail(QStringLiteral("inserting the dataset failed"), query.lastError().text());

    QSqlQuery timeline(m_db);
    timeline.prepare(QStringLiteral("INSERT INTO status_timeline (status, time, task_id) VALUES (?, ?, NULL)"));
    timeline.addBindValue(statusToApiString(dataset.status));
    timeline.addBindValue(timeText(dataset.createdAt));
    if (!timeline.exec())
        return fail(QStringLiteral("writing the status timeline failed"), timeline.lastError().text());
    return true;
}

std::optional<DatasetInfo> Catalog::dataset()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral(
            "SELECT id, display_name, description, source_type, created_at, status, progress,"
            " fatal_error_msg, embedding_config, n_clusters, n_duplicate_groups, n_outliers,"
            " (SELECT count(*) FROM media WHERE kind = 'IMAGE'),"
            " (SELECT count(*) FROM media WHERE kind = 'VIDEO'),"
            " (SELECT count(*) FROM media WHERE clustered = 0)"
            " FROM dataset LIMIT 1"))) {
        fail(QStringLiteral("reading the dataset failed"), query.lastError().text());
        return std::nullopt;
    }
    if (!query.next()) {
        m_error = QStringLiteral("%1 has no dataset row").arg(catalogPath(m_datasetDir));
        return std::nullopt;
    }
    DatasetInfo info;
    info.id = query.value(0).toString();
    info.displayName = query.value(1).toString();
    info.description = query.value(2).toString();
    info.sourceType = query.value(3).toString();
    info.createdAt = timeFromText(query.value(4).toString());
    info.status = parseDatasetStatus(query.value(5).toString()).value_or(DatasetStatus::Error);
    info.progress = query.value(6).toInt();
    info.fatalErrorMsg = query.value(7).toString();
    info.embeddingConfig = query.value(8).toString();
    info.nClusters = query.value(9).toInt();
    info.nDuplicateGroups = query.value(10).toInt();
    info.nOutliers = query.value(11).toInt();
    info.nImages = query.value(12).toInt();
    info.nVideos = query.value(13).toInt();
    info.nPendingItems = query.value(14).toInt();
    return info;
}

QString Catalog::sourcePath()
{
    QSqlQuery query(m_db);
    if (query.exec(QStringLiteral("SELECT source_path FROM dataset LIMIT 1")) && query.next())
        return query.value(0).toString();
    return QString();
}

std::optional<DatasetStatus> Catalog::previousStatus()
{
    QSqlQuery query(m_db);
    if (query.exec(QStringLiteral("SELECT previous_status FROM dataset LIMIT 1")) && query.next())
        return parseDatasetStatus(query.value(0).toString());
    return std::nullopt;
}

bool Catalog::transitionStatus(DatasetStatus status, const QString &taskId)
{
    QSqlQuery current(m_db);
    if (!current.exec(QStringLiteral("SELECT status FROM dataset LIMIT 1")) || !current.next())
        return fail(QStringLiteral("reading the status failed"), current.lastError().text());
    const auto from = parseDatasetStatus(current.value(0).toString());
    if (!from || !StatusMachine::isTransitionAllowed(*from, status)) {
        return fail(QStringLiteral("status change rejected"),
                    QStringLiteral("%1 -> %2 is not an allowed transition")
                        .arg(current.value(0).toString(), statusToApiString(status)));
    }

    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE dataset SET status = ?, previous_status = ?"));
    update.addBindValue(statusToApiString(status));
    update.addBindValue(statusToApiString(*from));
    if (!update.exec())
        return fail(QStringLiteral("writing the status failed"), update.lastError().text());

    QSqlQuery timeline(m_db);
    timeline.prepare(QStringLiteral("INSERT INTO status_timeline (status, time, task_id) VALUES (?, ?, ?)"));
    timeline.addBindValue(statusToApiString(status));
    timeline.addBindValue(timeText(QDateTime::currentDateTimeUtc()));
    timeline.addBindValue(nullableText(taskId));
    if (!timeline.exec())
        return fail(QStringLiteral("writing the status timeline failed"), timeline.lastError().text());
    return true;
}

bool Catalog::setProgress(int percent)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE dataset SET progress = ?"));
    query.addBindValue(qBound(0, percent, 100));
    if (!query.exec())
        return fail(QStringLiteral("writing the progress failed"), query.lastError().text());
    return true;
}

bool Catalog::setFatalError(const QString &message)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE dataset SET fatal_error_msg = ?"));
    query.addBindValue(nullableText(message));
    if (!query.exec())
        return fail(QStringLiteral("writing the fatal error failed"), query.lastError().text());
    return true;
}

bool Catalog::setEmbeddingConfig(const QString &model)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE dataset SET embedding_config = ?"));
    query.addBindValue(model);
    if (!query.exec())
        return fail(QStringLiteral("writing the embedding config failed"), query.lastError().text());
    return true;
}

bool Catalog::setClusterCounts(int clusters, int duplicateGroups, int outliers)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE dataset SET n_clusters = ?, n_duplicate_groups = ?, n_outliers = ?"));
    query.addBindValue(clusters);
    query.addBindValue(duplicateGroups);
    query.addBindValue(outliers);
    if (!query.exec())
        return fail(QStringLiteral("writing the cluster counts failed"), query.lastError().text());
    return true;
}

QList<Catalog::StatusChange> Catalog::timeline()
{
    QList<StatusChange> changes;
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT status, time, task_id FROM status_timeline ORDER BY id"))) {
        fail(QStringLiteral("reading the status timeline failed"), query.lastError().text());
        return changes;
    }
    while (query.next()) {
        changes.append({ parseDatasetStatus(query.value(0).toString()).value_or(DatasetStatus::Error),
                         timeFromText(query.value(1).toString()), query.value(2).toString() });
    }
    return changes;
}

// --- Tasks ---------------------------------------------------------------------------------

namespace {

TaskInfo taskFromQuery(const QSqlQuery &query)
{
    TaskInfo task;
    task.taskId = query.value(0).toString();
    task.type = parseTaskType(query.value(1).toString()).value_or(TaskType::MediaAddition);
    task.status = parseTaskStatus(query.value(2).toString()).value_or(TaskStatus::Failed);
    task.statusMessage = query.value(3).toString();
    if (!query.value(4).isNull())
        task.progressPercentage = query.value(4).toInt();
    task.errorMessage = query.value(5).toString();
    task.startTime = timeFromText(query.value(6).toString());
    task.endTime = timeFromText(query.value(7).toString());
    task.createdBy = query.value(8).toString();
    task.result = TaskResult::fromJson(QJsonDocument::fromJson(query.value(9).toByteArray()).object());
    return task;
}

void bindTask(QSqlQuery &query, const TaskInfo &task)
{
    query.addBindValue(taskTypeToApiString(task.type));
    query.addBindValue(taskStatusToApiString(task.status));
    query.addBindValue(nullableText(task.statusMessage));
    query.addBindValue(task.progressPercentage ? QVariant(*task.progressPercentage)
                                               : QVariant(QMetaType(QMetaType::Int)));
    query.addBindValue(nullableText(task.errorMessage));
    query.addBindValue(timeText(task.startTime));
    query.addBindValue(task.endTime.isValid() ? QVariant(timeText(task.endTime))
                                              : QVariant(QMetaType(QMetaType::QString)));
    query.addBindValue(nullableText(task.createdBy));
    query.addBindValue(QString::fromUtf8(QJsonDocument(task.result.toJson()).toJson(QJsonDocument::Compact)));
}

} // namespace

bool Catalog::insertTask(const TaskInfo &task)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO tasks (type, status, status_message, progress,"
                                 " error_message, start_time, end_time, created_by, result, id)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    bindTask(query, task);
    query.addBindValue(task.taskId);
    if (!query.exec())
        return fail(QStringLiteral("inserting task %1 failed").arg(task.taskId), query.lastError().text());
    return true;
}

bool Catalog::updateTask(const TaskInfo &task)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE tasks SET type = ?, status = ?, status_message = ?,"
                                 " progress = ?, error_message = ?, start_time = ?, end_time = ?,"
                                 " created_by = ?, result = ? WHERE id = ?"));
    bindTask(query, task);
    query.addBindValue(task.taskId);
    if (!query.exec())
        return fail(QStringLiteral("updating task %1 failed").arg(task.taskId), query.lastError().text());
    return true;
}

std::optional<TaskInfo> Catalog::task(const QString &taskId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM tasks WHERE id = ?").arg(QLatin1String(taskColumns)));
    query.addBindValue(taskId);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return taskFromQuery(query);
}

QList<TaskInfo> Catalog::tasks()
{
    QList<TaskInfo> result;
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT %1 FROM tasks ORDER BY start_time")
                        .arg(QLatin1String(taskColumns)))) {
        fail(QStringLiteral("reading the tasks failed"), query.lastError().text());
        return result;
    }
    while (query.next())
        result.append(taskFromQuery(query));
    return result;
}

std::optional<TaskInfo> Catalog::runningTask()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT %1 FROM tasks WHERE status IN ('INITIALIZING', 'RUNNING')"
                                   " ORDER BY start_time DESC LIMIT 1")
                        .arg(QLatin1String(taskColumns)))
        || !query.next())
        return std::nullopt;
    return taskFromQuery(query);
}

std::optional<TaskInfo> Catalog::latestTask()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT %1 FROM tasks ORDER BY start_time DESC LIMIT 1")
                        .arg(QLatin1String(taskColumns)))
        || !query.next())
        return std::nullopt;
    return taskFromQuery(query);
}

bool Catalog::insertTaskItems(const QString &taskId, const QList<TaskItem> &items)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT OR REPLACE INTO task_items"
                                 " (task_id, sequence, relative_path, origin_path, size)"
                                 " VALUES (?, ?, ?, ?, ?)"));
    for (const TaskItem &item : items) {
        query.addBindValue(taskId);
        query.addBindValue(item.sequence);
        query.addBindValue(item.relativePath);
        query.addBindValue(item.originPath);
        query.addBindValue(item.size);
        if (!query.exec())
            return fail(QStringLiteral("writing the items of task %1 failed").arg(taskId),
                        query.lastError().text());
    }
    return true;
}

bool Catalog::setTaskItemState(const QString &taskId, int sequence, const QString &state,
                               const QString &reason, qint64 mediaId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE task_items SET state = ?, reason = ?, media_id = ?"
                                 " WHERE task_id = ? AND sequence = ?"));
    query.addBindValue(state);
    query.addBindValue(nullableText(reason));
    query.addBindValue(mediaId >= 0 ? QVariant(mediaId) : QVariant(QMetaType(QMetaType::LongLong)));
    query.addBindValue(taskId);
    query.addBindValue(sequence);
    if (!query.exec())
        return fail(QStringLiteral("updating an item of task %1 failed").arg(taskId),
                    query.lastError().text());
    return true;
}

int Catalog::taskItemCount(const QString &taskId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT count(*) FROM task_items WHERE task_id = ?"));
    query.addBindValue(taskId);
    if (!query.exec() || !query.next())
        return 0;
    return query.value(0).toInt();
}

// --- Media ---------------------------------------------------------------------------------

qint64 Catalog::insertMedia(const NewMedia &media)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "INSERT INTO media (kind, relative_path, origin, origin_path, sha256, size, width, height,"
        " duration_seconds, store_path, thumbnail_path, task_id, added_at, duplicate_of)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(mediaKindToApiString(media.kind));
    query.addBindValue(media.relativePath);
    query.addBindValue(media.origin);
    query.addBindValue(media.originPath);
    query.addBindValue(media.sha256);
    query.addBindValue(media.size);
    query.addBindValue(media.width);
    query.addBindValue(media.height);
    query.addBindValue(media.durationSeconds);
    query.addBindValue(media.storePath);
    query.addBindValue(nullableText(media.thumbnailPath));
    query.addBindValue(nullableText(media.taskId));
    query.addBindValue(timeText(media.addedAt));
    query.addBindValue(media.duplicateOf >= 0 ? QVariant(media.duplicateOf)
                                              : QVariant(QMetaType(QMetaType::LongLong)));
    if (!query.exec()) {
        fail(QStringLiteral("inserting %1 failed").arg(media.relativePath), query.lastError().text());
        return -1;
    }
    const qint64 id = query.lastInsertId().toLongLong();

    QSqlQuery embedding(m_db);
    embedding.prepare(QStringLiteral(
        "INSERT INTO embeddings (media_id, perceptual_hash, vector) VALUES (?, ?, ?)"));
    embedding.addBindValue(id);
    // SQLite integers are signed 64-bit; the hash's bits are kept as they are.
    embedding.addBindValue(qint64(media.perceptualHash));
    embedding.addBindValue(vectorBlob(media.embedding));
    if (!embedding.exec()) {
        fail(QStringLiteral("inserting the embedding of %1 failed").arg(media.relativePath),
             embedding.lastError().text());
        return -1;
    }

    if (!media.frames.empty()) {
        QSqlQuery frame(m_db);
        frame.prepare(QStringLiteral(
            "INSERT INTO video_frames (media_id, frame_index, timestamp_seconds, perceptual_hash,"
            " embedding) VALUES (?, ?, ?, ?, ?)"));
        for (size_t i = 0; i < media.frames.size(); ++i) {
            frame.addBindValue(id);
            frame.addBindValue(qint64(i));
            frame.addBindValue(media.frames[i].timestampSeconds);
            frame.addBindValue(qint64(media.frames[i].perceptualHash));
            frame.addBindValue(vectorBlob(media.frames[i].embedding));
            if (!frame.exec()) {
                fail(QStringLiteral("inserting a frame of %1 failed").arg(media.relativePath),
                     frame.lastError().text());
                return -1;
            }
        }
    }
    return id;
}

qint64 Catalog::findMediaBySha256(const QString &sha256)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT id FROM media WHERE sha256 = ? ORDER BY id LIMIT 1"));
    query.addBindValue(sha256);
    if (!query.exec() || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

bool Catalog::containsMedia(const QString &sha256, const QString &originPath)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT 1 FROM media WHERE origin_path = ? AND sha256 = ? LIMIT 1"));
    query.addBindValue(originPath);
    query.addBindValue(sha256);
    return query.exec() && query.next();
}

namespace {

QString absoluteOrEmpty(const QString &datasetDir, const QString &relative)
{
    return relative.isEmpty() ? QString() : QDir(datasetDir).filePath(relative);
}

} // namespace

MediaItem Catalog::toMediaItem(qint64 id, const NewMedia &media) const
{
    MediaItem item;
    item.id = QString::number(id);
    item.kind = media.kind;
    item.relativePath = media.relativePath;
    item.fileName = media.relativePath.section(QLatin1Char('/'), -1);
    item.origin = media.origin;
    item.originPath = media.originPath;
    item.sha256 = media.sha256;
    item.size = media.size;
    item.width = media.width;
    item.height = media.height;
    item.durationSeconds = media.durationSeconds;
    item.mediaUri = absoluteOrEmpty(m_datasetDir, media.storePath);
    item.thumbnailUri = absoluteOrEmpty(m_datasetDir, media.thumbnailPath);
    item.taskId = media.taskId;
    item.addedAt = media.addedAt;
    item.clustered = false;
    item.duplicateOf = media.duplicateOf >= 0 ? QString::number(media.duplicateOf) : QString();
    return item;
}

namespace {

MediaItem mediaFromQuery(const QSqlQuery &query, const QString &datasetDir)
{
    MediaItem item;
    item.id = query.value(0).toString();
    item.kind = query.value(1).toString() == QLatin1String("VIDEO") ? MediaKind::Video
                                                                     : MediaKind::Image;
    item.relativePath = query.value(2).toString();
    item.fileName = item.relativePath.section(QLatin1Char('/'), -1);
    item.origin = query.value(3).toString();
    item.originPath = query.value(4).toString();
    item.sha256 = query.value(5).toString();
    item.size = query.value(6).toLongLong();
    item.width = query.value(7).toInt();
    item.height = query.value(8).toInt();
    item.durationSeconds = query.value(9).toDouble();
    item.mediaUri = absoluteOrEmpty(datasetDir, query.value(10).toString());
    item.thumbnailUri = absoluteOrEmpty(datasetDir, query.value(11).toString());
    item.taskId = query.value(12).toString();
    item.addedAt = timeFromText(query.value(13).toString());
    item.clustered = query.value(14).toInt() != 0;
    item.clusterId = query.value(15).toLongLong();
    item.duplicateGroup = query.value(16).toLongLong();
    item.outlierScore = query.value(17).toDouble();
    item.duplicateOf = query.value(18).isNull() ? QString() : query.value(18).toString();
    return item;
}

} // namespace

std::optional<MediaItem> Catalog::mediaItem(qint64 id)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM media WHERE id = ?").arg(QLatin1String(mediaColumns)));
    query.addBindValue(id);
    if (!query.exec() || !query.next())
        return std::nullopt;
    MediaItem item = mediaFromQuery(query, m_datasetDir);
    if (auto info = dataset())
        item.datasetId = info->id;
    return item;
}

MediaPage Catalog::media(const MediaQuery &request)
{
    MediaPage page;
    page.offset = qMax(0, request.offset);

    QSqlQuery count(m_db);
    if (!count.exec(QStringLiteral("SELECT count(*) FROM media")) || !count.next()) {
        fail(QStringLiteral("counting media failed"), count.lastError().text());
        return page;
    }
    page.total = count.value(0).toInt();

    QString order;
    switch (request.sort) {
    case MediaSort::Added:
        order = QStringLiteral("id");
        break;
    case MediaSort::Cluster:
        order = QStringLiteral("cluster_id < 0, cluster_id, id");
        break;
    case MediaSort::DuplicateGroup:
        order = QStringLiteral("duplicate_group < 0, duplicate_group, id");
        break;
    case MediaSort::OutlierScore:
        order = QStringLiteral("outlier_score DESC, id");
        break;
    }
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM media ORDER BY %2 LIMIT ? OFFSET ?")
                      .arg(QLatin1String(mediaColumns), order));
    query.addBindValue(qMax(0, request.limit));
    query.addBindValue(page.offset);
    if (!query.exec()) {
        fail(QStringLiteral("reading media failed"), query.lastError().text());
        return page;
    }
    const QString datasetId = dataset().value_or(DatasetInfo()).id;
    while (query.next()) {
        MediaItem item = mediaFromQuery(query, m_datasetDir);
        item.datasetId = datasetId;
        page.items.append(item);
    }
    return page;
}

int Catalog::nearDuplicatePairCount()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM near_duplicates")) || !query.next())
        return 0;
    return query.value(0).toInt();
}

bool Catalog::forEachEmbedding(const std::function<void(EmbeddingRow &&)> &callback)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral(
            "SELECT media.id, media.sha256, embeddings.perceptual_hash, embeddings.vector"
            " FROM media JOIN embeddings ON embeddings.media_id = media.id ORDER BY media.id")))
        return fail(QStringLiteral("reading embeddings failed"), query.lastError().text());
    while (query.next()) {
        EmbeddingRow row;
        row.id = query.value(0).toLongLong();
        row.sha256 = query.value(1).toString();
        row.perceptualHash = quint64(query.value(2).toLongLong());
        row.embedding = blobVector(query.value(3).toByteArray());
        callback(std::move(row));
    }
    return true;
}

bool Catalog::storeClustering(const Clustering::Result &result)
{
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE media SET clustered = 1, cluster_id = ?,"
                                  " duplicate_group = ?, outlier_score = ? WHERE id = ?"));
    for (const Clustering::ItemResult &item : result.items) {
        update.addBindValue(item.clusterId);
        update.addBindValue(item.duplicateGroup);
        update.addBindValue(item.outlierScore);
        update.addBindValue(item.id);
        if (!update.exec())
            return fail(QStringLiteral("writing clusters failed"), update.lastError().text());
    }
    if (!exec(QStringLiteral("DELETE FROM near_duplicates")))
        return false;
    QSqlQuery pair(m_db);
    pair.prepare(QStringLiteral("INSERT OR REPLACE INTO near_duplicates"
                                " (first_id, second_id, similarity, hamming_distance)"
                                " VALUES (?, ?, ?, ?)"));
    for (const Clustering::NearDuplicatePair &entry : result.nearDuplicates) {
        pair.addBindValue(entry.first);
        pair.addBindValue(entry.second);
        pair.addBindValue(double(entry.similarity));
        pair.addBindValue(entry.hammingDistance);
        if (!pair.exec())
            return fail(QStringLiteral("writing near-duplicate pairs failed"), pair.lastError().text());
    }
    return setClusterCounts(result.clusters, result.duplicateGroups, result.outliers);
}

} // namespace Accrete
