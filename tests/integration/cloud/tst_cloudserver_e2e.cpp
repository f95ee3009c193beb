// CloudService against `accrete-cli serve`'s ApiServer over 127.0.0.1, backed by a real
// EmbeddedService in a temporary data directory: the same requests a user makes against a
// shared pipeline machine.

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "cloud/cloudservice.h"
#include "core/metatypes.h"
#include "pipeline/embeddedservice.h"
#include "server/apiserver.h"
#include "testsupport.h"

using namespace Accrete;
using namespace Accrete::TestSupport;
using namespace std::chrono_literals;

namespace {

const QString apiKey = QStringLiteral("e2e-key");
const QByteArray apiSecret = "e2e-secret-7d41b0";
constexpr int requestTimeoutMs = 30'000;
constexpr int settleTimeoutMs = 180'000;

template<typename T>
ServiceError failureOf(const QFuture<T> &future)
{
    try {
        QFuture<T>(future).waitForFinished();
    } catch (const ServiceError &error) {
        return error;
    }
    return {};
}

} // namespace

class TestCloudServerEndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void filesThenManualReindex();
    void archiveWithAutoReindex();
    void serverPathForm();
    void conflictWhileBatchRuns();
    void twoSourcesRejected();
    void unknownDatasetNotFound();
    void s3UriRejected();
    void wrongSecretUnauthorized();
    void mediaListsEveryAddedPhoto();
    void mediaOfUnknownDatasetNotFound();

private:
    // Creates a dataset from `photoCount` photos through the API and waits until it is READY.
    QString createIndexedDataset(int photoCount);
    // Watches `datasetId` until the watch stops and returns the last status it reported.
    std::optional<DatasetInfo> watchUntilSettled(const QString &datasetId);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedService> m_embedded;
    std::unique_ptr<ApiServer> m_server;
    std::unique_ptr<CloudService> m_client;
};

void TestCloudServerEndToEnd::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
    // The embedded server's S3 check goes to a closed port on loopback, so no test reaches
    // AWS even where the environment contains real credentials.
    qputenv("ACCRETE_S3_ENDPOINT", "http://127.0.0.1:9");
    QVERIFY2(opencvPhotos().size() >= 12, "needs the opencv-doc package");
}

void TestCloudServerEndToEnd::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_embedded = std::make_unique<EmbeddedService>(m_dir->filePath(QStringLiteral("data")));

    ApiServerOptions options;
    options.port = 0;
    options.uploadDir = m_dir->filePath(QStringLiteral("uploads"));
    options.allowedRoots = { QDir(m_dir->path()).canonicalPath() };
    options.apiKey = apiKey;
    options.apiSecret = apiSecret;
    m_server = std::make_unique<ApiServer>(m_embedded.get(), options);
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));

    RemoteConnection connection;
    connection.kind = RemoteConnection::Kind::Server;
    connection.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
    connection.apiKey = apiKey;
    connection.apiSecret = QString::fromLatin1(apiSecret);
    m_client = std::make_unique<CloudService>(connection);
    m_client->setWatchIntervals(50ms, 400ms);
}

void TestCloudServerEndToEnd::cleanup()
{
    m_client.reset();
    if (m_server)
        m_server->close();
    m_server.reset();
    m_embedded.reset();
    m_dir.reset();
}

std::optional<DatasetInfo> TestCloudServerEndToEnd::watchUntilSettled(const QString &datasetId)
{
    std::optional<DatasetInfo> last;
    QMetaObject::Connection connection =
        connect(m_client.get(), &DatasetService::datasetChanged, this,
                [&last, datasetId](const DatasetInfo &info) {
                    if (info.id == datasetId)
                        last = info;
                });
    m_client->watchDataset(datasetId);
    const bool stopped = QTest::qWaitFor([&] { return !m_client->isWatching(datasetId); }, settleTimeoutMs);
    disconnect(connection);
    if (!stopped)
        return std::nullopt;
    return last;
}

QString TestCloudServerEndToEnd::createIndexedDataset(int photoCount)
{
    const QString folder = m_dir->filePath(QStringLiteral("initial"));
    if (copyPhotos(folder, photoCount).size() != photoCount)
        return {};
    auto created = m_client->createDataset({ QStringLiteral("e2e"), folder });
    if (!QTest::qWaitFor([&] { return created.isFinished(); }, requestTimeoutMs))
        return {};
    if (!failureOf(created).detail().isEmpty()) {
        qWarning("createDataset failed: %s", qPrintable(failureOf(created).toString()));
        return {};
    }
    const QString id = created.result().id;
    const auto settled = watchUntilSettled(id);
    if (!settled || settled->status != DatasetStatus::Ready)
        return {};
    return id;
}

void TestCloudServerEndToEnd::filesThenManualReindex()
{
    const QString id = createIndexedDataset(4);
    QVERIFY(!id.isEmpty());

    const QStringList added = copyPhotos(m_dir->filePath(QStringLiteral("more")), 3, 4);
    QCOMPARE(added.size(), 3);
    AddMediaRequest request;
    request.files = added;
    auto accepted = m_client->addMedia(id, request);
    QTRY_VERIFY_WITH_TIMEOUT(accepted.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(accepted).toString(), QString());

    auto partial = watchUntilSettled(id);
    QVERIFY(partial);
    QCOMPARE(partial->status, DatasetStatus::PartialIndex);
    QCOMPARE(partial->nImages, 7);

    auto reindexed = m_client->reindex(id);
    QTRY_VERIFY_WITH_TIMEOUT(reindexed.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(reindexed).toString(), QString());
    auto ready = watchUntilSettled(id);
    QVERIFY(ready);
    QCOMPARE(ready->status, DatasetStatus::Ready);
    QCOMPARE(ready->nImages, 7);

    // Reindex is accepted only in PARTIAL INDEX.
    auto again = m_client->reindex(id);
    QTRY_VERIFY_WITH_TIMEOUT(again.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(again).code(), 409);
}

void TestCloudServerEndToEnd::archiveWithAutoReindex()
{
    const QString id = createIndexedDataset(3);
    QVERIFY(!id.isEmpty());

    const QString archive = makePhotoArchive(m_dir->filePath(QStringLiteral("batch.tar.gz")),
                                             ArchiveFormat::TarGz, 3, 5);
    QVERIFY(!archive.isEmpty());
    AddMediaRequest request;
    request.archive = archive;
    request.autoReindex = true;
    auto accepted = m_client->addMedia(id, request);
    QTRY_VERIFY_WITH_TIMEOUT(accepted.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(accepted).toString(), QString());

    auto ready = watchUntilSettled(id);
    QVERIFY(ready);
    QCOMPARE(ready->status, DatasetStatus::Ready);
    QCOMPARE(ready->nImages, 6);
}

void TestCloudServerEndToEnd::serverPathForm()
{
    const QString id = createIndexedDataset(3);
    QVERIFY(!id.isEmpty());
    const QString folder = m_dir->filePath(QStringLiteral("on-server"));
    QCOMPARE(copyPhotos(folder, 2, 6).size(), 2);

    AddMediaRequest request;
    request.path = folder;
    auto accepted = m_client->addMedia(id, request);
    QTRY_VERIFY_WITH_TIMEOUT(accepted.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(accepted).toString(), QString());

    auto partial = watchUntilSettled(id);
    QVERIFY(partial);
    QCOMPARE(partial->status, DatasetStatus::PartialIndex);
    QCOMPARE(partial->nImages, 5);
}

void TestCloudServerEndToEnd::conflictWhileBatchRuns()
{
    const QString id = createIndexedDataset(3);
    QVERIFY(!id.isEmpty());

    // A large batch keeps the dataset READ ONLY while the second request arrives.
    const int photoCount = int(opencvPhotos().size()) - 3;
    const QString archive = makePhotoArchive(m_dir->filePath(QStringLiteral("large.zip")),
                                             ArchiveFormat::Zip, photoCount, 3);
    QVERIFY(!archive.isEmpty());
    AddMediaRequest first;
    first.archive = archive;
    auto accepted = m_client->addMedia(id, first);
    QTRY_VERIFY_WITH_TIMEOUT(accepted.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(accepted).toString(), QString());

    AddMediaRequest second;
    second.path = m_dir->filePath(QStringLiteral("initial"));
    auto rejected = m_client->addMedia(id, second);
    auto reindexRejected = m_client->reindex(id);
    QTRY_VERIFY_WITH_TIMEOUT(rejected.isFinished() && reindexRejected.isFinished(), requestTimeoutMs);
    const ServiceError error = failureOf(rejected);
    QCOMPARE(error.code(), 409);
    QCOMPARE(error.detail(),
             QStringLiteral("Operation 'add_media' is blocked while MEDIA_ADDITION task is running"));
    QCOMPARE(failureOf(reindexRejected).code(), 409);

    auto settled = watchUntilSettled(id);
    QVERIFY(settled);
    QCOMPARE(settled->status, DatasetStatus::PartialIndex);
}

void TestCloudServerEndToEnd::twoSourcesRejected()
{
    AddMediaRequest request;
    request.files = opencvPhotos().mid(0, 1);
    request.archive = m_dir->filePath(QStringLiteral("batch.zip"));
    auto future = m_client->addMedia(QStringLiteral("any"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), requestTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 400);
    QCOMPARE(error.detail(),
             QStringLiteral("Exactly one media source must be provided: files[], s3_uri, or archive"));
}

void TestCloudServerEndToEnd::unknownDatasetNotFound()
{
    auto info = m_client->dataset(QStringLiteral("no-such-dataset"));
    QTRY_VERIFY_WITH_TIMEOUT(info.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(info).code(), 404);
    QCOMPARE(failureOf(info).detail(), QStringLiteral("Dataset not found"));

    AddMediaRequest request;
    request.files = opencvPhotos().mid(0, 1);
    auto added = m_client->addMedia(QStringLiteral("no-such-dataset"), request);
    QTRY_VERIFY_WITH_TIMEOUT(added.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(added).code(), 404);

    auto reindexed = m_client->reindex(QStringLiteral("no-such-dataset"));
    QTRY_VERIFY_WITH_TIMEOUT(reindexed.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(reindexed).code(), 404);
}

void TestCloudServerEndToEnd::s3UriRejected()
{
    const QString id = createIndexedDataset(3);
    QVERIFY(!id.isEmpty());

    AddMediaRequest request;
    request.s3Uri = QStringLiteral("s3://my-bucket/images/");
    auto future = m_client->addMedia(id, request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), requestTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 400);
    QCOMPARE(error.detail(), QStringLiteral("Invalid S3 URI or no media files found at s3://my-bucket/images/"));

    auto unchanged = m_client->dataset(id);
    QTRY_VERIFY_WITH_TIMEOUT(unchanged.isFinished(), requestTimeoutMs);
    QCOMPARE(unchanged.result().status, DatasetStatus::Ready);
}

void TestCloudServerEndToEnd::wrongSecretUnauthorized()
{
    RemoteConnection connection = m_client->connection();
    connection.apiSecret = QStringLiteral("not-the-secret");
    CloudService client(connection);

    auto future = client.listDatasets();
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), requestTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 401);
    QVERIFY2(error.detail().contains(QStringLiteral("Authentication failed")), qPrintable(error.detail()));
}

void TestCloudServerEndToEnd::mediaListsEveryAddedPhoto()
{
    const QString id = createIndexedDataset(4);
    QVERIFY(!id.isEmpty());
    const QStringList added = copyPhotos(m_dir->filePath(QStringLiteral("more")), 3, 4);
    QCOMPARE(added.size(), 3);
    QSignalSpy mediaChanged(m_client.get(), &DatasetService::mediaChanged);
    QVERIFY(mediaChanged.isValid());
    AddMediaRequest request;
    request.files = added;
    auto accepted = m_client->addMedia(id, request);
    QTRY_VERIFY_WITH_TIMEOUT(accepted.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(accepted).toString(), QString());
    auto partial = watchUntilSettled(id);
    QVERIFY(partial);
    QCOMPARE(partial->status, DatasetStatus::PartialIndex);
    // Polling reports the finished batch as a media change, so that grids reload.
    QVERIFY(!mediaChanged.isEmpty());
    QCOMPARE(mediaChanged.last().at(0).toString(), id);

    // Two pages of at most 5 items: the listing endpoint, not the explore previews.
    QList<MediaItem> items;
    for (int offset = 0; offset < 10; offset += 5) {
        MediaQuery query;
        query.datasetId = id;
        query.offset = offset;
        query.limit = 5;
        auto page = m_client->media(query);
        QTRY_VERIFY_WITH_TIMEOUT(page.isFinished(), requestTimeoutMs);
        QCOMPARE(failureOf(page).toString(), QString());
        QCOMPARE(page.result().total, 7);
        QCOMPARE(page.result().offset, offset);
        items += page.result().items;
    }
    QCOMPARE(items.size(), 7);

    QSet<QString> ids;
    QSet<QString> fileNames;
    for (const MediaItem &item : std::as_const(items)) {
        ids.insert(item.id);
        fileNames.insert(item.fileName);
        QCOMPARE(item.datasetId, id);
    }
    QCOMPARE(ids.size(), 7);
    QSet<QString> expectedNames;
    for (const QString &path : opencvPhotos().mid(0, 7))
        expectedNames.insert(QFileInfo(path).fileName());
    QCOMPARE(fileNames, expectedNames);

    // The three added items are not clustered until a reindex.
    const auto unclustered = std::count_if(items.cbegin(), items.cend(),
                                           [](const MediaItem &item) { return !item.clustered; });
    QCOMPARE(unclustered, 3);

    for (const MediaItem &item : std::as_const(items)) {
        auto thumbnail = m_client->thumbnail(item, QSize(64, 64));
        QTRY_VERIFY_WITH_TIMEOUT(thumbnail.isFinished(), requestTimeoutMs);
        QCOMPARE(failureOf(thumbnail).toString(), QString());
        const QImage image = thumbnail.result();
        QVERIFY2(!image.isNull(), qPrintable(item.fileName));
        // The photo scaled to fit 64 x 64, give or take a pixel of rounding per step.
        const QSize expected = QSize(item.width, item.height).scaled(64, 64, Qt::KeepAspectRatio);
        QVERIFY2(std::abs(image.width() - expected.width()) <= 1
                     && std::abs(image.height() - expected.height()) <= 1,
                 qPrintable(QStringLiteral("%1: %2x%3, expected %4x%5")
                                .arg(item.fileName)
                                .arg(image.width())
                                .arg(image.height())
                                .arg(expected.width())
                                .arg(expected.height())));
    }
}

void TestCloudServerEndToEnd::mediaOfUnknownDatasetNotFound()
{
    MediaQuery query;
    query.datasetId = QStringLiteral("no-such-dataset");
    auto page = m_client->media(query);
    QTRY_VERIFY_WITH_TIMEOUT(page.isFinished(), requestTimeoutMs);
    QCOMPARE(failureOf(page).code(), 404);
    QCOMPARE(failureOf(page).detail(), QStringLiteral("Dataset not found"));
}

QTEST_GUILESS_MAIN(TestCloudServerEndToEnd)
#include "tst_cloudserver_e2e.moc"
