// Adds every kind of bad or awkward input to a real embedded dataset next to good files and
// checks that the good files are added, the bad one is listed with a specific reason,
// nothing is written outside the dataset's folder, and the dataset ends in the right status.

#include <QDirIterator>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "core/metatypes.h"
#include "inputfixtures.h"
#include "pipeline/embeddedservice.h"
#include "testsupport.h"

using namespace Accrete;
using namespace Accrete::TestSupport;

Q_DECLARE_METATYPE(Accrete::TestSupport::InputFixture)

namespace {

constexpr int operationTimeoutMs = 240'000;

template<typename T>
bool waitFor(const QFuture<T> &future, int timeoutMs = operationTimeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!future.isFinished() && !deadline.hasExpired())
        QTest::qWait(20);
    return future.isFinished();
}

// Every file under `root` except those under `excluded`, with its size.
QMap<QString, qint64> listFiles(const QString &root, const QString &excluded)
{
    QMap<QString, qint64> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!path.startsWith(excluded))
            files.insert(path, it.fileInfo().size());
    }
    return files;
}

QString describe(const QList<RejectedItem> &rejected)
{
    QStringList lines;
    for (const RejectedItem &item : rejected)
        lines.append(item.path + QStringLiteral(": ") + item.reason);
    return lines.isEmpty() ? QStringLiteral("(none)") : lines.join(QStringLiteral("; "));
}

} // namespace

class TestBadInput final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void addFixtureNextToGoodFiles_data();
    void addFixtureNextToGoodFiles();

private:
    DatasetInfo fetchDataset();
    TaskInfo waitForTask(const QString &taskId);

    QTemporaryDir m_root;
    QString m_sandbox;
    QString m_fixtureDir;
    std::unique_ptr<EmbeddedService> m_service;
    QString m_datasetId;
    QList<InputFixture> m_fixtures;
    QStringList m_goodPhotos;
    int m_nextGoodPhoto = 0;
};

void TestBadInput::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
    QVERIFY(m_root.isValid());
    QVERIFY2(opencvPhotos().size() >= 60,
             "the opencv-doc package must be installed (apt-get install opencv-doc)");

    m_sandbox = m_root.filePath(QStringLiteral("sandbox"));
    m_fixtureDir = m_root.filePath(QStringLiteral("fixtures"));
    QString error;
    m_fixtures = makeAllInputFixtures(m_fixtureDir, &error);
    QVERIFY2(!m_fixtures.isEmpty(), qPrintable(error));

    // Good files come from photos no fixture uses, one per batch.
    m_goodPhotos = copyPhotos(m_root.filePath(QStringLiteral("good")), 60, 20);
    QVERIFY(m_goodPhotos.size() >= 50);

    m_service = std::make_unique<EmbeddedService>(m_sandbox + QStringLiteral("/data"));
    const QStringList seed = copyPhotos(m_root.filePath(QStringLiteral("seed")), 4, 10);
    QCOMPARE(seed.size(), 4);
    CreateDatasetRequest create;
    create.name = QStringLiteral("bad input");
    create.path = m_root.filePath(QStringLiteral("seed"));
    const QFuture<DatasetInfo> created = m_service->createDataset(create);
    QVERIFY(waitFor(created));
    m_datasetId = created.result().id;
    QVERIFY(!m_datasetId.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(fetchDataset().status, DatasetStatus::Ready, operationTimeoutMs);
}

void TestBadInput::cleanupTestCase()
{
    m_service.reset();
}

DatasetInfo TestBadInput::fetchDataset()
{
    const QFuture<DatasetInfo> future = m_service->dataset(m_datasetId);
    if (!waitFor(future, 30'000))
        return DatasetInfo();
    return future.result();
}

TaskInfo TestBadInput::waitForTask(const QString &taskId)
{
    QDeadlineTimer deadline(operationTimeoutMs);
    while (!deadline.hasExpired()) {
        const QFuture<TaskInfo> future = m_service->task(taskId);
        if (waitFor(future, 30'000)) {
            const TaskInfo task = future.result();
            if (isFinalTaskStatus(task.status) && m_service->runningOperationCount() == 0)
                return task;
        }
        QTest::qWait(100);
    }
    return TaskInfo();
}

void TestBadInput::addFixtureNextToGoodFiles_data()
{
    QTest::addColumn<InputFixture>("fixture");
    for (const InputFixture &fixture : std::as_const(m_fixtures))
        QTest::newRow(qPrintable(fixture.category + QStringLiteral(": ") + fixture.name)) << fixture;
}

void TestBadInput::addFixtureNextToGoodFiles()
{
    QFETCH(InputFixture, fixture);

    const DatasetInfo before = fetchDataset();
    QVERIFY(before.status == DatasetStatus::Ready || before.status == DatasetStatus::PartialIndex);
    const QString datasetFolder = m_sandbox + QStringLiteral("/data/") + m_datasetId;
    const QMap<QString, qint64> filesBefore = listFiles(m_root.path(), datasetFolder);

    // Files go with one good photo in the same batch. An archive is a batch of its own, so
    // its good members are part of the fixture.
    AddMediaRequest request;
    int goodFiles = 0;
    if (fixture.isArchive) {
        request.archive = fixture.path;
    } else {
        request.files = { m_goodPhotos.at(m_nextGoodPhoto++ % m_goodPhotos.size()), fixture.path };
        goodFiles = 1;
    }
    const int expectedAdded = goodFiles + fixture.addedItems;

    const QFuture<AddMediaAccepted> accepted = m_service->addMedia(m_datasetId, request);
    QVERIFY(waitFor(accepted, 30'000));
    const QString taskId = accepted.result().taskId;
    QVERIFY(!taskId.isEmpty());

    const TaskInfo task = waitForTask(taskId);
    QVERIFY2(isFinalTaskStatus(task.status), "the batch did not end");
    const QString rejectedText = describe(task.result.rejected);
    const int added = task.result.addedImages + task.result.addedVideos;
    QVERIFY2(added == expectedAdded,
             qPrintable(QStringLiteral("added %1, expected %2; rejected: %3")
                            .arg(added)
                            .arg(expectedAdded)
                            .arg(rejectedText)));

    const DatasetInfo after = fetchDataset();
    if (expectedAdded > 0) {
        QCOMPARE(task.status, TaskStatus::Completed);
        QCOMPARE(after.status, DatasetStatus::PartialIndex);
    } else {
        QCOMPARE(task.status, TaskStatus::Failed);
        QVERIFY(!task.errorMessage.isEmpty());
        QCOMPARE(after.status, before.status);
    }
    QCOMPARE(after.nImages + after.nVideos, before.nImages + before.nVideos + expectedAdded);

    if (fixture.outcome == FixtureOutcome::Rejected) {
        bool listed = false;
        for (const RejectedItem &item : task.result.rejected) {
            if (item.path.endsWith(fixture.rejectedPath) && fixture.reason.match(item.reason).hasMatch())
                listed = true;
        }
        QVERIFY2(listed, qPrintable(QStringLiteral("expected \"%1\" with a reason matching /%2/; "
                                                   "rejected: %3")
                                        .arg(fixture.rejectedPath, fixture.reason.pattern(),
                                             rejectedText)));
    } else if (fixture.category != QLatin1String("archive")) {
        QVERIFY2(task.result.rejected.isEmpty(), qPrintable(rejectedText));
    }

    if (fixture.expectedWidth > 0) {
        MediaQuery query;
        query.datasetId = m_datasetId;
        query.offset = 0;
        query.limit = 100000;
        const QFuture<MediaPage> page = m_service->media(query);
        QVERIFY(waitFor(page, 60'000));
        const QString fileName = QFileInfo(fixture.path).fileName();
        bool found = false;
        for (const MediaItem &item : page.result().items) {
            if (item.fileName != fileName || item.taskId != taskId)
                continue;
            found = true;
            QCOMPARE(item.width, fixture.expectedWidth);
            QCOMPARE(item.height, fixture.expectedHeight);
        }
        QVERIFY2(found, qPrintable(fileName));
    }

    // Nothing may appear or change outside the dataset's own folder.
    QCOMPARE(listFiles(m_root.path(), datasetFolder), filesBefore);
    if (!fixture.escapeName.isEmpty()) {
        QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/") + fixture.escapeName));
        QVERIFY(!QFileInfo::exists(m_sandbox + QStringLiteral("/") + fixture.escapeName));
        QVERIFY(!QFileInfo::exists(m_sandbox + QStringLiteral("/data/") + fixture.escapeName));
    }
}

QTEST_MAIN(TestBadInput)
#include "tst_badinput.moc"
