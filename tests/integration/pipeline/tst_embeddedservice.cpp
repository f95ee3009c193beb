// EmbeddedService end to end: real SQLite catalogs in a temporary data directory, real
// opencv-doc photos, archives written with libarchive at test time.

#include <latch>
#include <memory>
#include <optional>
#include <type_traits>

#include <QDirIterator>
#include <QFile>
#include <QLockFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "core/metatypes.h"
#include "pipeline/catalog.h"
#include "pipeline/embeddedservice.h"
#include "pipeline/media/mediaanalyzer.h"
#include "testsupport.h"

using namespace Accrete;

namespace {

constexpr int operationTimeoutMs = 180000;

// Waits for `future` while the event loop runs: continuations that the service attaches with
// itself as context (the S3 check, for example) run in this thread, so a blocking wait here
// would never end.
template<typename T>
void waitWithEvents(const QFuture<T> &future)
{
    QDeadlineTimer deadline(operationTimeoutMs);
    while (!future.isFinished() && !deadline.hasExpired())
        QTest::qWait(10);
}

template<typename T>
std::optional<ServiceError> failureOf(QFuture<T> future)
{
    try {
        waitWithEvents(future);
        future.waitForFinished();
        if constexpr (!std::is_void_v<T>)
            (void)future.result();
    } catch (const ServiceError &error) {
        return error;
    }
    return std::nullopt;
}

template<typename T>
T resultOf(QFuture<T> future)
{
    waitWithEvents(future);
    future.waitForFinished();
    return future.result();
}

// The statuses `spy` (on datasetChanged) reported for `datasetId`, without repeats of the
// same status (progress updates emit the status again).
QList<DatasetStatus> statusSequence(const QSignalSpy &spy, const QString &datasetId)
{
    QList<DatasetStatus> sequence;
    for (const QList<QVariant> &arguments : spy) {
        const DatasetInfo info = arguments.at(0).value<DatasetInfo>();
        if (info.id != datasetId)
            continue;
        if (sequence.isEmpty() || sequence.last() != info.status)
            sequence.append(info.status);
    }
    return sequence;
}

std::optional<DatasetStatus> lastStatus(const QSignalSpy &spy, const QString &datasetId)
{
    const QList<DatasetStatus> sequence = statusSequence(spy, datasetId);
    if (sequence.isEmpty())
        return std::nullopt;
    return sequence.last();
}

QString writeJunk(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QString();
    file.write(bytes);
    return path;
}

QString integrityCheck(const QString &catalogPath)
{
    QString result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("integrity"));
        db.setDatabaseName(catalogPath);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("PRAGMA integrity_check")) && query.next())
                result = query.value(0).toString();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("integrity"));
    return result;
}

} // namespace

class EmbeddedServiceTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void createFromFolderReachesReady();
    void createFromFolderWithoutMediaFails();
    void addMediaFromArchive_data();
    void addMediaFromArchive();
    void reindexClustersEverything();
    void autoReindexSkipsPartialIndex();
    void operationsRejectedWhileBatchRuns();
    void concurrentAddMediaAcceptsOne();
    void concurrentAddMediaFromThreadsAcceptsOne();
    void addMediaRejectsBadRequests_data();
    void addMediaRejectsBadRequests();
    void reindexRejectedOutsidePartialIndex();
    void duplicateFlaggedAtOnce();
    void junkFileRejectedGoodFilesAdded();
    void onlyBadFilesFailAndRestoreStatus();
    void secondServiceSeesSameData();
    void interruptedTaskIsSettled();
    void interruptedReindexIsResumed();
    void destructionDuringBatchSettles();

private:
    // Creates a dataset from `count` photos and waits until it is READY.
    QString createReadyDataset(int count, int offset = 0);
    // Waits until the dataset reports `status` through datasetChanged.
    bool waitForStatus(const QString &datasetId, DatasetStatus status);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedService> m_service;
    std::unique_ptr<QSignalSpy> m_datasetSpy;
};

void EmbeddedServiceTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
    // S3 requests go to a closed port on loopback, so no test reaches AWS even where the
    // environment contains real credentials.
    qputenv("ACCRETE_S3_ENDPOINT", "http://127.0.0.1:9");
    QVERIFY2(TestSupport::opencvPhotos().size() >= 12,
             "the opencv-doc package (photos under /usr/share/doc/opencv-doc) is missing");
}

void EmbeddedServiceTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_service = std::make_unique<EmbeddedService>(m_dir->filePath(QStringLiteral("data")));
    m_datasetSpy = std::make_unique<QSignalSpy>(m_service.get(), &DatasetService::datasetChanged);
    QVERIFY(m_datasetSpy->isValid());
}

void EmbeddedServiceTest::cleanup()
{
    m_datasetSpy.reset();
    m_service.reset();
    m_dir.reset();
}

bool EmbeddedServiceTest::waitForStatus(const QString &datasetId, DatasetStatus status)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < operationTimeoutMs) {
        if (lastStatus(*m_datasetSpy, datasetId) == status)
            return true;
        QTest::qWait(50);
    }
    return false;
}

QString EmbeddedServiceTest::createReadyDataset(int count, int offset)
{
    const QString folder = m_dir->filePath(QStringLiteral("source-%1-%2").arg(count).arg(offset));
    if (TestSupport::copyPhotos(folder, count, offset).size() != count)
        return QString();
    CreateDatasetRequest request;
    request.name = QStringLiteral("photos");
    request.path = folder;
    const DatasetInfo created = resultOf(m_service->createDataset(request));
    if (!waitForStatus(created.id, DatasetStatus::Ready))
        return QString();
    return created.id;
}

void EmbeddedServiceTest::createFromFolderReachesReady()
{
    QSignalSpy taskSpy(m_service.get(), &DatasetService::taskChanged);
    QVERIFY(taskSpy.isValid());
    const QString folder = m_dir->filePath(QStringLiteral("photos"));
    QCOMPARE(TestSupport::copyPhotos(folder, 4).size(), 4);

    CreateDatasetRequest request;
    request.name = QStringLiteral("street photos");
    request.path = folder;
    const DatasetInfo created = resultOf(m_service->createDataset(request));
    QCOMPARE(created.status, DatasetStatus::Draft);
    QCOMPARE(created.displayName, QStringLiteral("street photos"));
    QVERIFY(!created.hasEmbeddingConfig());

    QVERIFY(waitForStatus(created.id, DatasetStatus::Ready));
    const QList<DatasetStatus> expected{ DatasetStatus::Draft, DatasetStatus::Indexing,
                                         DatasetStatus::Ready };
    QCOMPARE(statusSequence(*m_datasetSpy, created.id), expected);

    const DatasetInfo ready = resultOf(m_service->dataset(created.id));
    QCOMPARE(ready.embeddingConfig, QLatin1String(builtinEmbeddingModel));
    QCOMPARE(ready.nImages, 4);
    QCOMPARE(ready.nPendingItems, 0);
    QVERIFY(ready.nClusters > 0);

    TaskQuery query;
    query.datasetId = created.id;
    const TaskPage tasks = resultOf(m_service->tasks(query));
    QCOMPARE(tasks.total, 1);
    QCOMPARE(tasks.tasks.first().type, TaskType::DatasetCreation);
    QCOMPARE(tasks.tasks.first().status, TaskStatus::Completed);
    QCOMPARE(tasks.tasks.first().result.addedImages, 4);
    QVERIFY(tasks.tasks.first().endTime.isValid());
    QVERIFY(!taskSpy.isEmpty());

    Catalog catalog(m_dir->filePath(QStringLiteral("data/") + created.id));
    QVERIFY(catalog.open(Catalog::OpenMode::ExistingOnly));
    const QList<Catalog::StatusChange> timeline = catalog.timeline();
    QCOMPARE(timeline.size(), 3);
    QCOMPARE(timeline.last().status, DatasetStatus::Ready);
}

void EmbeddedServiceTest::createFromFolderWithoutMediaFails()
{
    const QString folder = m_dir->filePath(QStringLiteral("notes"));
    QVERIFY(!writeJunk(folder + QStringLiteral("/readme.txt"), "plain text, no media").isEmpty());
    CreateDatasetRequest request;
    request.path = folder;
    const DatasetInfo created = resultOf(m_service->createDataset(request));

    QVERIFY(waitForStatus(created.id, DatasetStatus::Error));
    const DatasetInfo failed = resultOf(m_service->dataset(created.id));
    QCOMPARE(failed.status, DatasetStatus::Error);
    QVERIFY(!failed.fatalErrorMsg.isEmpty());
    QVERIFY(!failed.hasEmbeddingConfig());

    TaskQuery query;
    query.datasetId = created.id;
    const TaskPage tasks = resultOf(m_service->tasks(query));
    QCOMPARE(tasks.tasks.size(), 1);
    QCOMPARE(tasks.tasks.first().status, TaskStatus::Failed);
    QVERIFY(!tasks.tasks.first().errorMessage.isEmpty());
}

void EmbeddedServiceTest::addMediaFromArchive_data()
{
    QTest::addColumn<TestSupport::ArchiveFormat>("format");
    QTest::addColumn<QString>("fileName");
    QTest::newRow("zip") << TestSupport::ArchiveFormat::Zip << QStringLiteral("batch.zip");
    QTest::newRow("tar") << TestSupport::ArchiveFormat::Tar << QStringLiteral("batch.tar");
    QTest::newRow("tar.gz") << TestSupport::ArchiveFormat::TarGz << QStringLiteral("batch.tar.gz");
}

void EmbeddedServiceTest::addMediaFromArchive()
{
    QFETCH(TestSupport::ArchiveFormat, format);
    QFETCH(QString, fileName);

    const QString id = createReadyDataset(3);
    QVERIFY(!id.isEmpty());
    const QString archive = TestSupport::makePhotoArchive(m_dir->filePath(fileName), format, 2, 3);
    QVERIFY(!archive.isEmpty());

    QSignalSpy addedSpy(m_service.get(), &DatasetService::mediaAdded);
    QVERIFY(addedSpy.isValid());
    m_datasetSpy->clear();
    AddMediaRequest request;
    request.archive = archive;
    const AddMediaAccepted accepted = resultOf(m_service->addMedia(id, request));
    QCOMPARE(accepted.datasetId, id);
    QVERIFY(!accepted.taskId.isEmpty());

    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));
    const QList<DatasetStatus> expected{ DatasetStatus::ReadOnly, DatasetStatus::PartialIndex };
    QCOMPARE(statusSequence(*m_datasetSpy, id), expected);

    QList<MediaItem> added;
    for (const QList<QVariant> &arguments : std::as_const(addedSpy)) {
        QCOMPARE(arguments.at(0).toString(), id);
        added += arguments.at(1).value<QList<MediaItem>>();
    }
    QCOMPARE(added.size(), 2);
    for (const MediaItem &item : std::as_const(added)) {
        QVERIFY(!item.clustered);
        QVERIFY(item.relativePath.startsWith(QLatin1String("photos/")));
        QCOMPARE(item.origin, QStringLiteral("archive"));
        QVERIFY(QFileInfo::exists(item.mediaUri));
        QCOMPARE(item.taskId, accepted.taskId);
    }

    const DatasetInfo info = resultOf(m_service->dataset(id));
    QCOMPARE(info.nImages, 5);
    QCOMPARE(info.nPendingItems, 2);

    MediaQuery query;
    query.datasetId = id;
    const MediaPage page = resultOf(m_service->media(query));
    QCOMPARE(page.total, 5);
    int unclustered = 0;
    for (const MediaItem &item : page.items)
        unclustered += item.clustered ? 0 : 1;
    QCOMPARE(unclustered, 2);

    const TaskInfo task = resultOf(m_service->task(accepted.taskId));
    QCOMPARE(task.type, TaskType::MediaAddition);
    QCOMPARE(task.status, TaskStatus::Completed);
    QCOMPARE(task.result.addedImages, 2);

    const QImage thumbnail = resultOf(m_service->thumbnail(added.first(), QSize(64, 64)));
    QVERIFY(!thumbnail.isNull());
    QVERIFY(thumbnail.width() <= 64 && thumbnail.height() <= 64);

    QCOMPARE(integrityCheck(Catalog::catalogPath(m_dir->filePath(QStringLiteral("data/") + id))),
             QStringLiteral("ok"));
}

void EmbeddedServiceTest::reindexClustersEverything()
{
    const QString id = createReadyDataset(3);
    QVERIFY(!id.isEmpty());
    const QString batch = m_dir->filePath(QStringLiteral("batch"));
    QCOMPARE(TestSupport::copyPhotos(batch, 3, 3).size(), 3);
    QVERIFY(!failureOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch))));
    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));

    QSignalSpy changedSpy(m_service.get(), &DatasetService::mediaChanged);
    QVERIFY(changedSpy.isValid());
    m_datasetSpy->clear();
    QVERIFY(!failureOf(m_service->reindex(id)));
    QVERIFY(waitForStatus(id, DatasetStatus::Ready));
    const QList<DatasetStatus> expected{ DatasetStatus::ReadOnly, DatasetStatus::Indexing,
                                         DatasetStatus::Ready };
    QCOMPARE(statusSequence(*m_datasetSpy, id), expected);
    QTRY_VERIFY_WITH_TIMEOUT(!changedSpy.isEmpty(), operationTimeoutMs);

    const DatasetInfo info = resultOf(m_service->dataset(id));
    QCOMPARE(info.nImages, 6);
    QVERIFY(info.nClusters > 0);
    QCOMPARE(info.nPendingItems, 0);

    MediaQuery query;
    query.datasetId = id;
    const MediaPage page = resultOf(m_service->media(query));
    QCOMPARE(page.items.size(), 6);
    for (const MediaItem &item : page.items) {
        QVERIFY(item.clustered);
        QVERIFY(item.clusterId >= 0);
    }

    TaskQuery tasks;
    tasks.datasetId = id;
    tasks.type = TaskType::Reindex;
    const TaskPage reindexTasks = resultOf(m_service->tasks(tasks));
    QCOMPARE(reindexTasks.total, 1);
    QCOMPARE(reindexTasks.tasks.first().status, TaskStatus::Completed);
    QCOMPARE(reindexTasks.tasks.first().result.clusters, info.nClusters);
}

void EmbeddedServiceTest::autoReindexSkipsPartialIndex()
{
    const QString id = createReadyDataset(3);
    QVERIFY(!id.isEmpty());
    const QString batch = m_dir->filePath(QStringLiteral("batch"));
    QCOMPARE(TestSupport::copyPhotos(batch, 2, 5).size(), 2);

    m_datasetSpy->clear();
    QVERIFY(!failureOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch, true))));
    QVERIFY(waitForStatus(id, DatasetStatus::Ready));
    const QList<DatasetStatus> expected{ DatasetStatus::ReadOnly, DatasetStatus::Indexing,
                                         DatasetStatus::Ready };
    QCOMPARE(statusSequence(*m_datasetSpy, id), expected);

    const DatasetInfo info = resultOf(m_service->dataset(id));
    QCOMPARE(info.nImages, 5);
    QCOMPARE(info.nPendingItems, 0);
}

void EmbeddedServiceTest::operationsRejectedWhileBatchRuns()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    const QString batch = m_dir->filePath(QStringLiteral("big-batch"));
    QCOMPARE(TestSupport::copyPhotos(batch, 12, 2).size(), 12);

    QVERIFY(!failureOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch))));

    const auto addRejection = failureOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch)));
    QVERIFY(addRejection.has_value());
    QCOMPARE(addRejection->code(), 409);
    QCOMPARE(addRejection->detail(),
             QStringLiteral("Operation 'add_media' is blocked while MEDIA_ADDITION task is running"));

    const auto reindexRejection = failureOf(m_service->reindex(id));
    QVERIFY(reindexRejection.has_value());
    QCOMPARE(reindexRejection->code(), 409);
    QCOMPARE(reindexRejection->detail(),
             QStringLiteral("Operation 'reindex' is blocked while MEDIA_ADDITION task is running"));

    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));
    QCOMPARE(resultOf(m_service->dataset(id)).nImages, 14);
}

void EmbeddedServiceTest::concurrentAddMediaAcceptsOne()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    const QString batch = m_dir->filePath(QStringLiteral("batch"));
    QCOMPARE(TestSupport::copyPhotos(batch, 4, 2).size(), 4);

    // A second service on the same data directory replaces a second process.
    EmbeddedService other(m_dir->filePath(QStringLiteral("data")));
    const auto first = failureOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch)));
    const auto second = failureOf(other.addMedia(id, AddMediaRequest::fromLocalPath(batch)));

    QVERIFY(!first.has_value());
    QVERIFY(second.has_value());
    QCOMPARE(second->code(), 409);
    QCOMPARE(second->detail(),
             QStringLiteral("Operation 'add_media' is blocked while MEDIA_ADDITION task is running"));
    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));
}

void EmbeddedServiceTest::concurrentAddMediaFromThreadsAcceptsOne()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    const QString batch = m_dir->filePath(QStringLiteral("batch"));
    QCOMPARE(TestSupport::copyPhotos(batch, 4, 2).size(), 4);
    m_service.reset(); // only the two threads' services touch the dataset

    const QString dataDir = m_dir->filePath(QStringLiteral("data"));
    std::atomic<int> accepted{ 0 };
    std::atomic<int> conflicts{ 0 };
    // Both requests are issued together, and both services live until both have a response.
    std::latch ready(2);
    std::latch answered(2);
    QList<QThread *> threads;
    for (int i = 0; i < 2; ++i) {
        threads.append(QThread::create([&] {
            // Each thread owns a service; its destructor waits for (or cancels) the batch.
            EmbeddedService service(dataDir);
            ready.arrive_and_wait();
            const auto failure = failureOf(service.addMedia(id, AddMediaRequest::fromLocalPath(batch)));
            if (!failure)
                ++accepted;
            else if (failure->code() == 409)
                ++conflicts;
            answered.arrive_and_wait();
        }));
    }
    for (QThread *thread : std::as_const(threads))
        thread->start();
    for (QThread *thread : std::as_const(threads)) {
        QVERIFY(thread->wait(operationTimeoutMs));
        delete thread;
    }
    QCOMPARE(accepted.load(), 1);
    QCOMPARE(conflicts.load(), 1);

    // Whatever the accepted batch reached before its service went away, the dataset settled.
    EmbeddedService reopened(dataDir);
    const DatasetInfo info = resultOf(reopened.dataset(id));
    QVERIFY2(isSettledStatus(info.status), qPrintable(statusToApiString(info.status)));
}

void EmbeddedServiceTest::addMediaRejectsBadRequests_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("sources");
    QTest::addColumn<bool>("useS3");
    QTest::addColumn<int>("expectedCode");
    QTest::addColumn<QString>("expectedDetail");

    QTest::newRow("no source") << QStringLiteral("ready") << 0 << false << 400
                               << ServiceError::exactlyOneSource().detail();
    QTest::newRow("two sources") << QStringLiteral("ready") << 2 << false << 400
                                 << ServiceError::exactlyOneSource().detail();
    QTest::newRow("never indexed") << QStringLiteral("failed") << 1 << false << 400
                                   << QStringLiteral("never-indexed");
    QTest::newRow("unknown dataset") << QStringLiteral("unknown") << 1 << false << 404
                                     << ServiceError::notFound().detail();
    QTest::newRow("s3 source") << QStringLiteral("ready") << 1 << true << 400
                               << ServiceError::invalidS3Uri(QStringLiteral("s3://accrete-test/new/")).detail();
}

void EmbeddedServiceTest::addMediaRejectsBadRequests()
{
    QFETCH(QString, target);
    QFETCH(int, sources);
    QFETCH(bool, useS3);
    QFETCH(int, expectedCode);
    QFETCH(QString, expectedDetail);

    QString id = QStringLiteral("no-such-dataset");
    if (target == QLatin1String("ready")) {
        id = createReadyDataset(2);
    } else if (target == QLatin1String("failed")) {
        const QString folder = m_dir->filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(folder));
        CreateDatasetRequest create;
        create.path = folder;
        id = resultOf(m_service->createDataset(create)).id;
        QVERIFY(waitForStatus(id, DatasetStatus::Error));
        expectedDetail = ServiceError::noEmbeddingConfig(id).detail();
    }
    QVERIFY(!id.isEmpty());

    const QString batch = m_dir->filePath(QStringLiteral("batch"));
    QCOMPARE(TestSupport::copyPhotos(batch, 1, 4).size(), 1);
    AddMediaRequest request;
    if (useS3)
        request.s3Uri = QStringLiteral("s3://accrete-test/new/");
    else if (sources >= 1)
        request.files = { batch };
    if (sources >= 2)
        request.archive = m_dir->filePath(QStringLiteral("batch.zip"));

    const DatasetStatus before = target == QLatin1String("unknown")
        ? DatasetStatus::Draft
        : resultOf(m_service->dataset(id)).status;
    const auto failure = failureOf(m_service->addMedia(id, request));
    QVERIFY(failure.has_value());
    QCOMPARE(failure->code(), expectedCode);
    QCOMPARE(failure->detail(), expectedDetail);
    if (target != QLatin1String("unknown"))
        QCOMPARE(resultOf(m_service->dataset(id)).status, before);
}

void EmbeddedServiceTest::reindexRejectedOutsidePartialIndex()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    const auto rejection = failureOf(m_service->reindex(id));
    QVERIFY(rejection.has_value());
    QCOMPARE(rejection->code(), 409);
    QCOMPARE(rejection->detail(),
             QStringLiteral("Operation 'reindex' requires dataset status PARTIAL INDEX, but it is READY"));

    const auto unknown = failureOf(m_service->reindex(QStringLiteral("no-such-dataset")));
    QVERIFY(unknown.has_value());
    QCOMPARE(unknown->code(), 404);
}

void EmbeddedServiceTest::duplicateFlaggedAtOnce()
{
    const QString id = createReadyDataset(3);
    QVERIFY(!id.isEmpty());
    MediaQuery query;
    query.datasetId = id;
    const MediaPage before = resultOf(m_service->media(query));
    QCOMPARE(before.items.size(), 3);
    const MediaItem original = before.items.at(1);

    // The same photo under another name and folder.
    const QString batch = m_dir->filePath(QStringLiteral("dropped/again"));
    QVERIFY(QDir().mkpath(batch));
    QVERIFY(QFile::copy(original.mediaUri, batch + QStringLiteral("/renamed.jpg")));

    QSignalSpy addedSpy(m_service.get(), &DatasetService::mediaAdded);
    QVERIFY(addedSpy.isValid());
    const AddMediaAccepted accepted =
        resultOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch)));
    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));

    QCOMPARE(addedSpy.size(), 1);
    const QList<MediaItem> added = addedSpy.at(0).at(1).value<QList<MediaItem>>();
    QCOMPARE(added.size(), 1);
    QCOMPARE(added.first().duplicateOf, original.id);
    QCOMPARE(added.first().sha256, original.sha256);
    QVERIFY(!added.first().clustered);

    // Two items, one stored file.
    QCOMPARE(resultOf(m_service->dataset(id)).nImages, 4);
    QCOMPARE(added.first().mediaUri, original.mediaUri);

    // The same file from the same path again is skipped and the batch adds nothing.
    const AddMediaAccepted again =
        resultOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch)));
    QTRY_COMPARE_WITH_TIMEOUT(resultOf(m_service->task(again.taskId)).status, TaskStatus::Failed,
                              operationTimeoutMs);
    const TaskInfo skipped = resultOf(m_service->task(again.taskId));
    QCOMPARE(skipped.result.skippedDuplicates, 1);
    QCOMPARE(skipped.result.addedImages, 0);
    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));
    QCOMPARE(resultOf(m_service->dataset(id)).nImages, 4);
    Q_UNUSED(accepted);
}

void EmbeddedServiceTest::junkFileRejectedGoodFilesAdded()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    const QString batch = m_dir->filePath(QStringLiteral("mixed"));
    QCOMPARE(TestSupport::copyPhotos(batch, 2, 6).size(), 2);
    QByteArray junk(4096, '\0');
    for (int i = 0; i < junk.size(); ++i)
        junk[i] = char((i * 7919) % 251);
    QVERIFY(!writeJunk(batch + QStringLiteral("/broken.jpg"), junk).isEmpty());

    const AddMediaAccepted accepted =
        resultOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch)));
    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));

    const TaskInfo task = resultOf(m_service->task(accepted.taskId));
    QCOMPARE(task.status, TaskStatus::Completed);
    QCOMPARE(task.result.addedImages, 2);
    QCOMPARE(task.result.rejected.size(), 1);
    QVERIFY(task.result.rejected.first().path.endsWith(QLatin1String("broken.jpg")));
    QVERIFY(!task.result.rejected.first().reason.isEmpty());
    QCOMPARE(task.statusMessage, QStringLiteral("Added 2 images and 0 videos; 1 file rejected"));
    QCOMPARE(resultOf(m_service->dataset(id)).nImages, 4);
}

void EmbeddedServiceTest::onlyBadFilesFailAndRestoreStatus()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    const QString batch = m_dir->filePath(QStringLiteral("junk"));
    QVERIFY(!writeJunk(batch + QStringLiteral("/a.jpg"), QByteArray(2048, 'x')).isEmpty());
    QVERIFY(!writeJunk(batch + QStringLiteral("/b.png"), QByteArray(100, '\x01')).isEmpty());

    m_datasetSpy->clear();
    const AddMediaAccepted accepted =
        resultOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch)));
    QVERIFY(waitForStatus(id, DatasetStatus::Ready));
    const QList<DatasetStatus> expected{ DatasetStatus::ReadOnly, DatasetStatus::Ready };
    QCOMPARE(statusSequence(*m_datasetSpy, id), expected);

    const TaskInfo task = resultOf(m_service->task(accepted.taskId));
    QCOMPARE(task.status, TaskStatus::Failed);
    QVERIFY(!task.errorMessage.isEmpty());
    QCOMPARE(task.result.rejected.size(), 2);
    QCOMPARE(task.statusMessage, QStringLiteral("Added 0 images and 0 videos; 2 files rejected"));
    QCOMPARE(resultOf(m_service->dataset(id)).nImages, 2);
}

void EmbeddedServiceTest::secondServiceSeesSameData()
{
    const QString id = createReadyDataset(3);
    QVERIFY(!id.isEmpty());
    EmbeddedService other(m_dir->filePath(QStringLiteral("data")));
    const QList<DatasetInfo> datasets = resultOf(other.listDatasets());
    QCOMPARE(datasets.size(), 1);
    QCOMPARE(datasets.first().id, id);
    QCOMPARE(datasets.first().status, DatasetStatus::Ready);

    MediaQuery query;
    query.datasetId = id;
    const MediaPage mine = resultOf(m_service->media(query));
    const MediaPage theirs = resultOf(other.media(query));
    QCOMPARE(theirs.total, mine.total);
    QCOMPARE(theirs.items.size(), mine.items.size());
    for (qsizetype i = 0; i < mine.items.size(); ++i)
        QCOMPARE(theirs.items.at(i).sha256, mine.items.at(i).sha256);
}

void EmbeddedServiceTest::interruptedTaskIsSettled()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    m_datasetSpy.reset();
    m_service.reset();

    // What a process that died during a batch leaves behind: READ ONLY, a RUNNING task and
    // no live lock holder.
    const QString datasetDir = m_dir->filePath(QStringLiteral("data/") + id);
    TaskInfo task;
    task.taskId = QStringLiteral("interrupted-task");
    task.type = TaskType::MediaAddition;
    task.status = TaskStatus::Running;
    task.startTime = QDateTime::currentDateTimeUtc();
    {
        Catalog catalog(datasetDir);
        QVERIFY(catalog.open(Catalog::OpenMode::ExistingOnly));
        QVERIFY(catalog.beginImmediate());
        QVERIFY(catalog.transitionStatus(DatasetStatus::ReadOnly, task.taskId));
        QVERIFY(catalog.insertTask(task));
        QVERIFY(catalog.commit());
    }

    EmbeddedService restarted(m_dir->filePath(QStringLiteral("data")));
    const DatasetInfo info = resultOf(restarted.dataset(id));
    QCOMPARE(info.status, DatasetStatus::Ready);
    const TaskInfo ended = resultOf(restarted.task(task.taskId));
    QCOMPARE(ended.status, TaskStatus::Failed);
    QCOMPARE(ended.errorMessage, EmbeddedService::interruptedReason());
    QVERIFY(ended.endTime.isValid());

    // The dataset accepts new work again.
    const QString batch = m_dir->filePath(QStringLiteral("batch"));
    QCOMPARE(TestSupport::copyPhotos(batch, 1, 5).size(), 1);
    QVERIFY(!failureOf(restarted.addMedia(id, AddMediaRequest::fromLocalPath(batch))));
}

void EmbeddedServiceTest::interruptedReindexIsResumed()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    m_datasetSpy.reset();
    m_service.reset();

    const QString datasetDir = m_dir->filePath(QStringLiteral("data/") + id);
    {
        Catalog catalog(datasetDir);
        QVERIFY(catalog.open(Catalog::OpenMode::ExistingOnly));
        QVERIFY(catalog.beginImmediate());
        QVERIFY(catalog.transitionStatus(DatasetStatus::ReadOnly, QStringLiteral("stopped")));
        QVERIFY(catalog.transitionStatus(DatasetStatus::Indexing, QStringLiteral("stopped")));
        TaskInfo task;
        task.taskId = QStringLiteral("stopped");
        task.type = TaskType::Reindex;
        task.status = TaskStatus::Running;
        task.startTime = QDateTime::currentDateTimeUtc();
        QVERIFY(catalog.insertTask(task));
        QVERIFY(catalog.commit());
    }

    EmbeddedService restarted(m_dir->filePath(QStringLiteral("data")));
    QSignalSpy spy(&restarted, &DatasetService::datasetChanged);
    QVERIFY(spy.isValid());
    QTRY_COMPARE_WITH_TIMEOUT(resultOf(restarted.dataset(id)).status, DatasetStatus::Ready,
                              operationTimeoutMs);
    QCOMPARE(resultOf(restarted.task(QStringLiteral("stopped"))).status, TaskStatus::Failed);
    TaskQuery query;
    query.datasetId = id;
    query.type = TaskType::Reindex;
    query.status = TaskStatus::Completed;
    QTRY_COMPARE_WITH_TIMEOUT(resultOf(restarted.tasks(query)).total, 1, operationTimeoutMs);
}

void EmbeddedServiceTest::destructionDuringBatchSettles()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    const QString batch = m_dir->filePath(QStringLiteral("big-batch"));
    QCOMPARE(TestSupport::copyPhotos(batch, 20, 2).size(), 20);
    const AddMediaAccepted accepted =
        resultOf(m_service->addMedia(id, AddMediaRequest::fromLocalPath(batch)));

    m_datasetSpy.reset();
    m_service.reset(); // cancels the batch and waits for its thread

    EmbeddedService reopened(m_dir->filePath(QStringLiteral("data")));
    const DatasetInfo info = resultOf(reopened.dataset(id));
    QVERIFY2(isSettledStatus(info.status), qPrintable(statusToApiString(info.status)));
    const TaskInfo task = resultOf(reopened.task(accepted.taskId));
    QVERIFY(isFinalTaskStatus(task.status));
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("data/%1/operation.lock").arg(id))));
}

QTEST_GUILESS_MAIN(EmbeddedServiceTest)
#include "tst_embeddedservice.moc"
