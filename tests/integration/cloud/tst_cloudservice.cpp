// CloudService against a scripted HTTP server on 127.0.0.1: authentication, error mapping,
// timeouts, multipart uploads, upload progress and cancel, and dataset status polling.

#include <memory>
#include <sys/resource.h>

#include <jwt.h>

#include <QDateTime>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "cloud/cloudservice.h"
#include "core/metatypes.h"
#include "scriptedhttpserver.h"
#include "testsupport.h"

using namespace Accrete;
using namespace Accrete::TestSupport;
using namespace std::chrono_literals;

namespace {

const QString apiKey = QStringLiteral("test-api-key");
const QByteArray apiSecret = "test-secret-5f1c2a9e";
constexpr int futureTimeoutMs = 20'000;

QJsonObject datasetJson(const QString &id, const QString &statusNew, int progress = 0,
                        int nImages = 10)
{
    QJsonObject object{
        { QStringLiteral("id"), id },
        { QStringLiteral("display_name"), QStringLiteral("photos") },
        { QStringLiteral("progress"), progress },
        { QStringLiteral("n_images"), nImages },
        { QStringLiteral("n_videos"), 0 },
    };
    if (!statusNew.isEmpty())
        object.insert(QStringLiteral("status_new"), statusNew);
    return object;
}

CannedResponse datasetResponse(const QString &id, const QString &statusNew, int progress = 0,
                               int nImages = 10)
{
    return CannedResponse::json(200, QJsonDocument(datasetJson(id, statusNew, progress, nImages)));
}

std::unique_ptr<CloudService> makeService(const ScriptedHttpServer &server,
                                          RemoteConnection::Kind kind = RemoteConnection::Kind::Cloud,
                                          bool noAuth = false)
{
    RemoteConnection connection;
    connection.kind = kind;
    connection.baseUrl = server.url();
    connection.apiKey = apiKey;
    connection.apiSecret = QString::fromLatin1(apiSecret);
    connection.noAuth = noAuth;
    auto service = std::make_unique<CloudService>(connection);
    service->setWatchIntervals(20ms, 80ms);
    return service;
}

// The ServiceError a finished future failed with; a default ServiceError (code 0, empty
// detail) when it succeeded.
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

QByteArray bearerToken(const RecordedRequest &request)
{
    const QByteArray header = request.header("authorization");
    return header.startsWith("Bearer ") ? header.mid(7) : QByteArray();
}

struct DecodedToken
{
    bool valid = false;
    QByteArray kid;
    QByteArray typ;
    jwt_alg_t alg = JWT_ALG_NONE;
    QByteArray sub;
    QByteArray iss;
    long iat = 0;
    long exp = 0;
};

DecodedToken decodeToken(const QByteArray &token, const QByteArray &secret)
{
    DecodedToken decoded;
    jwt_t *jwt = nullptr;
    if (jwt_decode(&jwt, token.constData(), reinterpret_cast<const unsigned char *>(secret.constData()),
                   int(secret.size())) != 0) {
        return decoded;
    }
    decoded.valid = true;
    decoded.kid = jwt_get_header(jwt, "kid");
    decoded.typ = jwt_get_header(jwt, "typ");
    decoded.alg = jwt_get_alg(jwt);
    decoded.sub = jwt_get_grant(jwt, "sub");
    decoded.iss = jwt_get_grant(jwt, "iss");
    decoded.iat = jwt_get_grant_int(jwt, "iat");
    decoded.exp = jwt_get_grant_int(jwt, "exp");
    jwt_free(jwt);
    return decoded;
}

QString makeSparseFile(const QString &path, qint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.resize(size))
        return {};
    return path;
}

qint64 peakResidentKiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

class TestCloudService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void jwtVerifiesWithSecret();
    void tokenReusedAcrossRequests();
    void unauthorizedMintsNewTokenAndRetries();
    void secondUnauthorizedFails();
    void noAuthSendsNoAuthorization();
    void unauthorizedUploadResent();

    void errorDetailMapped_data();
    void errorDetailMapped();
    void stalledResponseTimesOut();
    void connectionRefusedNamesUrl();
    void invalidJsonReported();

    void addMediaSendsFilesParts();
    void addMediaSendsArchivePart();
    void addMediaSendsS3UriAndOptions();
    void addMediaExpandsFolders();
    void twoSourcesRejectedLocally();
    void pathSourceUsesOnPremisesForm();
    void pathSourceRejectedForCloud();
    void missingFileFailsBeforeRequest();

    void uploadProgressReachesTotal();
    void uploadCancelFailsFuture();
    void uploadCancelledBeforeStart();
    void uploadCancelAfterSendWarns();
    void uploadMemoryStaysFlat();
    void uploadTimeoutCountsFromLastProgress();
    void stalledUploadTimesOut();

    void createDatasetServerForm();
    void createDatasetCloudForm();
    void createDatasetCloudRejectsLocalPath();
    void reindexPostsToDataset();
    void listDatasetsParsesArray();
    void tasksSendsEveryFilter();
    void taskFoundOnSecondPage();
    void mediaMapsExplorePreviews();
    void mediaEmptyWithoutExploreEndpoint();
    void thumbnailDownloadsAndScales();
    void thumbnailElsewhereSentWithoutToken();

    void watchSeesUnderscoreSpellingsAndStops();
    void watchIgnoresStaleStatusAfterRequest();
    void watchStopsAfterGracePeriod();
    void watchReadsLegacyStatus();
    void watchFailedKeepsPolling();
    void watchDoesNotTreatProgressAsDone();
};

void TestCloudService::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
}

// ---- Authentication --------------------------------------------------------------------

void TestCloudService::jwtVerifiesWithSecret()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    auto service = makeService(server);

    const qint64 before = QDateTime::currentSecsSinceEpoch();
    auto future = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(server.requests().size(), 1);

    const QByteArray token = bearerToken(server.requests().first());
    QVERIFY(!token.isEmpty());
    const DecodedToken decoded = decodeToken(token, apiSecret);
    QVERIFY(decoded.valid);
    QCOMPARE(decoded.alg, JWT_ALG_HS256);
    QCOMPARE(decoded.typ, QByteArray("JWT"));
    QCOMPARE(decoded.kid, apiKey.toUtf8());
    QCOMPARE(decoded.sub, apiKey.toUtf8());
    QCOMPARE(decoded.iss, QByteArray("sdk"));
    QVERIFY(decoded.iat >= before - 1);
    QVERIFY(decoded.iat <= QDateTime::currentSecsSinceEpoch() + 1);
    QCOMPARE(decoded.exp - decoded.iat, 600L);

    QVERIFY(!decodeToken(token, "another-secret").valid);
}

void TestCloudService::tokenReusedAcrossRequests()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    auto service = makeService(server);

    auto first = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(first.isFinished(), futureTimeoutMs);
    auto second = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(second.isFinished(), futureTimeoutMs);

    QCOMPARE(server.requests().size(), 2);
    QVERIFY(!bearerToken(server.requests().at(0)).isEmpty());
    QCOMPARE(bearerToken(server.requests().at(1)), bearerToken(server.requests().at(0)));
}

void TestCloudService::unauthorizedMintsNewTokenAndRetries()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::detail(401, QStringLiteral("Token expired")));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    auto service = makeService(server);

    auto future = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(future.result().id, QStringLiteral("ds1"));

    QCOMPARE(server.requests().size(), 2);
    QCOMPARE(server.requests().at(1).path, QStringLiteral("/api/v1/dataset/ds1"));
    QVERIFY(decodeToken(bearerToken(server.requests().at(0)), apiSecret).valid);
    QVERIFY(decodeToken(bearerToken(server.requests().at(1)), apiSecret).valid);
}

void TestCloudService::secondUnauthorizedFails()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::detail(401, QStringLiteral("Invalid token")));
    server.enqueue(CannedResponse::detail(401, QStringLiteral("Invalid token")));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    auto service = makeService(server);

    auto future = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 401);
    QVERIFY2(error.detail().contains(QStringLiteral("Authentication failed")), qPrintable(error.detail()));
    QVERIFY2(error.detail().contains(QStringLiteral("Invalid token")), qPrintable(error.detail()));
    QCOMPARE(server.requests().size(), 2);
}

void TestCloudService::noAuthSendsNoAuthorization()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    auto service = makeService(server, RemoteConnection::Kind::Server, true);

    auto future = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(server.requests().size(), 1);
    QVERIFY(!server.requests().first().headers.contains("authorization"));
}

void TestCloudService::unauthorizedUploadResent()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList photos = copyPhotos(dir.filePath(QStringLiteral("in")), 1);
    QVERIFY2(photos.size() == 1, "needs the opencv-doc package");
    QFile original(photos.first());
    QVERIFY(original.open(QIODevice::ReadOnly));
    const QByteArray bytes = original.readAll();

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::detail(401, QStringLiteral("Token expired")));
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);

    AddMediaRequest request;
    request.files = photos;
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());

    QCOMPARE(server.requests().size(), 2);
    for (const RecordedRequest &sent : server.requests()) {
        QCOMPARE(sent.parts("files").size(), 1);
        QCOMPARE(sent.parts("files").first().body, bytes);
    }
}

// ---- Errors ----------------------------------------------------------------------------

void TestCloudService::errorDetailMapped_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("expectedDetail");

    QTest::newRow("500 string detail")
        << 500 << QByteArray(R"({"detail":"Pipeline trigger failed"})") << QByteArray("application/json")
        << QStringLiteral("Pipeline trigger failed");
    QTest::newRow("409 conflict")
        << 409
        << QByteArray(R"({"detail":"Operation 'add_media' is blocked while MEDIA_ADDITION task is running"})")
        << QByteArray("application/json")
        << QStringLiteral("Operation 'add_media' is blocked while MEDIA_ADDITION task is running");
    QTest::newRow("422 validation array")
        << 422
        << QByteArray(R"({"detail":[{"loc":["body","batch_n_images"],"msg":"value is not a valid integer","type":"type_error.integer"},{"loc":["query","page",0],"msg":"field required","type":"value_error.missing"}]})")
        << QByteArray("application/json")
        << QStringLiteral("body.batch_n_images: value is not a valid integer; query.page.0: field required");
    QTest::newRow("plain text body")
        << 502 << QByteArray("upstream proxy error") << QByteArray("text/plain")
        << QStringLiteral("upstream proxy error");
    QTest::newRow("long text body truncated")
        << 500 << QByteArray(2000, 'x') << QByteArray("text/html")
        << QString(500, QLatin1Char('x')) + QStringLiteral("\u2026");
    QTest::newRow("empty body uses reason phrase")
        << 404 << QByteArray() << QByteArray("application/json") << QStringLiteral("Not Found");
    QTest::newRow("on-premises envelope")
        << 400 << QByteArray(R"({"status":"error","message":"Invalid path specified"})")
        << QByteArray("application/json") << QStringLiteral("Invalid path specified");
}

void TestCloudService::errorDetailMapped()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, expectedDetail);

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    CannedResponse response;
    response.status = status;
    response.body = body;
    response.contentType = contentType;
    server.enqueue(response);
    auto service = makeService(server);

    auto future = service->reindex(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), status);
    QCOMPARE(error.detail(), expectedDetail);
}

void TestCloudService::stalledResponseTimesOut()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::stall());
    auto service = makeService(server);
    service->setTransferTimeout(300ms);

    auto future = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 0);
    QVERIFY2(error.detail().contains(QStringLiteral("timed out after 0.3 s")), qPrintable(error.detail()));
    QVERIFY2(error.detail().contains(server.url().toString()), qPrintable(error.detail()));
}

void TestCloudService::connectionRefusedNamesUrl()
{
    // A port that was just free: listen, note it, close.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    RemoteConnection connection;
    connection.kind = RemoteConnection::Kind::Server;
    connection.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    connection.noAuth = true;
    CloudService service(connection);

    auto future = service.listDatasets();
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 0);
    QVERIFY2(error.detail().startsWith(QStringLiteral("Connection refused at http://127.0.0.1:%1").arg(port)),
             qPrintable(error.detail()));
}

void TestCloudService::invalidJsonReported()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    CannedResponse html;
    html.body = "<html>login page</html>";
    html.contentType = "text/html";
    server.enqueue(html);
    auto service = makeService(server);

    auto future = service->listDatasets();
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 0);
    QVERIFY2(error.detail().contains(QStringLiteral("invalid response")), qPrintable(error.detail()));
    QVERIFY2(error.detail().contains(QStringLiteral("/api/v1/datasets")), qPrintable(error.detail()));
}

// ---- add_media -------------------------------------------------------------------------

void TestCloudService::addMediaSendsFilesParts()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList photos = copyPhotos(dir.filePath(QStringLiteral("in")), 2);
    QVERIFY2(photos.size() == 2, "needs the opencv-doc package");

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);

    AddMediaRequest request;
    request.files = photos;
    request.autoReindex = true;
    request.batchNImages = 2;
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(future.result().datasetId, QStringLiteral("ds1"));

    QCOMPARE(server.requests().size(), 1);
    const RecordedRequest &sent = server.requests().first();
    QCOMPARE(sent.method, QByteArray("POST"));
    QCOMPARE(sent.path, QStringLiteral("/api/v1/dataset/ds1/add_media"));
    QVERIFY(sent.header("content-type").startsWith("multipart/form-data"));

    const QList<RecordedPart> files = sent.parts("files");
    QCOMPARE(files.size(), 2);
    for (int i = 0; i < 2; ++i) {
        QFile original(photos.at(i));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QCOMPARE(files.at(i).fileName, QFileInfo(photos.at(i)).fileName().toUtf8());
        QCOMPARE(files.at(i).body, original.readAll());
        QVERIFY(files.at(i).contentType.startsWith("image/"));
    }
    QCOMPARE(sent.parts("files[]").size(), 0);
    QCOMPARE(sent.parts("archive").size(), 0);
    QCOMPARE(sent.parts("s3_uri").size(), 0);
    QCOMPARE(sent.parts("auto_reindex").size(), 1);
    QCOMPARE(sent.parts("auto_reindex").first().body, QByteArray("true"));
    QCOMPARE(sent.parts("batch_n_images").first().body, QByteArray("2"));
    QCOMPARE(sent.parts("batch_n_videos").size(), 0);
    QCOMPARE(sent.parts("use_spot").size(), 0);
    QCOMPARE(sent.parts().size(), 4);
}

void TestCloudService::addMediaSendsArchivePart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString archive = makePhotoArchive(dir.filePath(QStringLiteral("batch.zip")), ArchiveFormat::Zip, 3);
    QVERIFY2(!archive.isEmpty(), "needs the opencv-doc package and libarchive");

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);

    AddMediaRequest request;
    request.archive = archive;
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());

    QCOMPARE(server.requests().size(), 1);
    const RecordedRequest &sent = server.requests().first();
    const QList<RecordedPart> parts = sent.parts();
    QCOMPARE(parts.size(), 1);
    QCOMPARE(parts.first().name, QByteArray("archive"));
    QCOMPARE(parts.first().fileName, QByteArray("batch.zip"));
    QFile original(archive);
    QVERIFY(original.open(QIODevice::ReadOnly));
    QCOMPARE(parts.first().body, original.readAll());
}

void TestCloudService::addMediaSendsS3UriAndOptions()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);

    AddMediaRequest request;
    request.s3Uri = QStringLiteral("s3://my-bucket/new/images/");
    request.assumeRole = QStringLiteral("arn:aws:iam::123456789012:role/Access");
    request.batchNVideos = 5;
    request.batchNObjects = 7;
    request.useSpot = false;
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());

    const RecordedRequest &sent = server.requests().first();
    QCOMPARE(sent.parts("s3_uri").first().body, QByteArray("s3://my-bucket/new/images/"));
    QVERIFY(sent.parts("s3_uri").first().fileName.isEmpty());
    QCOMPARE(sent.parts("assume_role").first().body, QByteArray("arn:aws:iam::123456789012:role/Access"));
    QCOMPARE(sent.parts("batch_n_videos").first().body, QByteArray("5"));
    QCOMPARE(sent.parts("batch_n_objects").first().body, QByteArray("7"));
    QCOMPARE(sent.parts("use_spot").first().body, QByteArray("false"));
    QCOMPARE(sent.parts("auto_reindex").size(), 0);
    QCOMPARE(sent.parts("files").size(), 0);
    QCOMPARE(sent.parts("archive").size(), 0);
}

void TestCloudService::addMediaExpandsFolders()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList top = copyPhotos(dir.filePath(QStringLiteral("drop")), 1, 0);
    const QStringList nested = copyPhotos(dir.filePath(QStringLiteral("drop/sub")), 1, 1);
    QVERIFY2(top.size() == 1 && nested.size() == 1, "needs the opencv-doc package");

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);

    auto future = service->addMedia(QStringLiteral("ds1"),
                                    AddMediaRequest::fromLocalPath(dir.filePath(QStringLiteral("drop"))));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(server.requests().size(), 1);
    QCOMPARE(server.requests().first().parts("files").size(), 2);
}

void TestCloudService::twoSourcesRejectedLocally()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    auto service = makeService(server);

    AddMediaRequest request;
    request.s3Uri = QStringLiteral("s3://my-bucket/images/");
    request.archive = QStringLiteral("/tmp/batch.zip");
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 400);
    QCOMPARE(error.detail(),
             QStringLiteral("Exactly one media source must be provided: files[], s3_uri, or archive"));

    auto none = service->addMedia(QStringLiteral("ds1"), AddMediaRequest{});
    QTRY_VERIFY_WITH_TIMEOUT(none.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(none).code(), 400);

    QCOMPARE(server.connectionsSeen(), 0);
}

void TestCloudService::pathSourceUsesOnPremisesForm()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::json(
        200, QJsonDocument(QJsonObject{ { QStringLiteral("status"), QStringLiteral("success") } })));
    auto service = makeService(server, RemoteConnection::Kind::Server);

    AddMediaRequest request;
    request.path = QStringLiteral("/data/new images");
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());

    const RecordedRequest &sent = server.requests().first();
    QCOMPARE(sent.method, QByteArray("GET"));
    QCOMPARE(sent.path, QStringLiteral("/api/v1/process/add_media"));
    QCOMPARE(sent.query.queryItemValue(QStringLiteral("dataset_id")), QStringLiteral("ds1"));
    QCOMPARE(sent.query.queryItemValue(QStringLiteral("path"), QUrl::FullyDecoded),
             QStringLiteral("/data/new images"));
}

void TestCloudService::pathSourceRejectedForCloud()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    auto service = makeService(server, RemoteConnection::Kind::Cloud);

    AddMediaRequest request;
    request.path = QStringLiteral("/data/new_images");
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 400);
    QVERIFY2(error.detail().contains(QStringLiteral("/data/new_images")), qPrintable(error.detail()));
    QCOMPARE(server.connectionsSeen(), 0);
}

void TestCloudService::missingFileFailsBeforeRequest()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    auto service = makeService(server);

    AddMediaRequest request;
    request.files = { dir.filePath(QStringLiteral("missing.jpg")) };
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 0);
    QVERIFY2(error.detail().contains(QStringLiteral("missing.jpg")), qPrintable(error.detail()));
    QCOMPARE(server.connectionsSeen(), 0);
}

// ---- Upload progress, cancel, memory ---------------------------------------------------

void TestCloudService::uploadProgressReachesTotal()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("random.bin"));
    QByteArray content(4 * 1024 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(42);
    generator.fillRange(reinterpret_cast<quint32 *>(content.data()), content.size() / 4);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(content), content.size());
    }

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);
    QSignalSpy progress(service.get(), &CloudService::uploadProgress);
    QVERIFY(progress.isValid());

    AddMediaRequest request;
    request.files = { path };
    auto future = service->addMedia(QStringLiteral("ds-up"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());

    QVERIFY(progress.count() > 0);
    const QList<QVariant> last = progress.last();
    QCOMPARE(last.at(0).toString(), QStringLiteral("ds-up"));
    QVERIFY(last.at(2).toLongLong() > content.size());
    QCOMPARE(last.at(1).toLongLong(), last.at(2).toLongLong());
    QCOMPARE(server.requests().first().parts("files").first().body, content);
}

void TestCloudService::uploadCancelFailsFuture()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = makeSparseFile(dir.filePath(QStringLiteral("big.zip")), 512LL * 1024 * 1024);
    QVERIFY(!path.isEmpty());

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::stopReadingAfter(256 * 1024));
    QSignalSpy stopped(&server, &ScriptedHttpServer::readingStopped);
    QVERIFY(stopped.isValid());
    auto service = makeService(server);
    QSignalSpy progress(service.get(), &CloudService::uploadProgress);
    QVERIFY(progress.isValid());

    AddMediaRequest request;
    request.archive = path;
    auto future = service->addMedia(QStringLiteral("ds-big"), request);
    QTRY_VERIFY_WITH_TIMEOUT(stopped.count() > 0 && progress.count() > 0, futureTimeoutMs);
    QVERIFY(!future.isFinished());

    const QList<QVariant> latest = progress.last();
    QCOMPARE(latest.at(0).toString(), QStringLiteral("ds-big"));
    QVERIFY(latest.at(1).toLongLong() > 0);
    QVERIFY(latest.at(1).toLongLong() < latest.at(2).toLongLong());

    service->cancelUploads(QStringLiteral("another-dataset"));
    service->cancelUploads(QStringLiteral("ds-big"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 0);
    QVERIFY2(error.detail().startsWith(QStringLiteral("Upload cancelled")), qPrintable(error.detail()));
}

void TestCloudService::uploadCancelledBeforeStart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY2(copyPhotos(dir.filePath(QStringLiteral("drop")), 2).size() == 2, "needs the opencv-doc package");

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);

    // The folder is walked on a worker thread, so the upload has not started when the
    // cancel arrives.
    auto future = service->addMedia(QStringLiteral("ds1"),
                                    AddMediaRequest::fromLocalPath(dir.filePath(QStringLiteral("drop"))));
    service->cancelUploads(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QVERIFY2(failureOf(future).detail().startsWith(QStringLiteral("Upload cancelled")),
             qPrintable(failureOf(future).detail()));
    QCOMPARE(server.connectionsSeen(), 0);

    // A later upload to the same dataset is not affected by the earlier cancel.
    auto later = service->addMedia(QStringLiteral("ds1"),
                                   AddMediaRequest::fromLocalPath(dir.filePath(QStringLiteral("drop"))));
    QTRY_VERIFY_WITH_TIMEOUT(later.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(later).detail(), QString());
    QCOMPARE(server.requests().size(), 1);
}

void TestCloudService::uploadCancelAfterSendWarns()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList photos = copyPhotos(dir.filePath(QStringLiteral("in")), 1);
    QVERIFY2(photos.size() == 1, "needs the opencv-doc package");

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::stall());
    auto service = makeService(server);
    QSignalSpy progress(service.get(), &CloudService::uploadProgress);
    QVERIFY(progress.isValid());

    AddMediaRequest request;
    request.files = photos;
    auto future = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_COMPARE_WITH_TIMEOUT(server.requests().size(), 1, futureTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty()
                                 && progress.last().at(1).toLongLong() == progress.last().at(2).toLongLong(),
                             futureTimeoutMs);
    QVERIFY(!future.isFinished());
    service->cancelUploads(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const QString detail = failureOf(future).detail();
    QVERIFY2(detail.startsWith(QStringLiteral("Upload cancelled")), qPrintable(detail));
    QVERIFY2(detail.contains(QStringLiteral("may still add them")), qPrintable(detail));
}

void TestCloudService::uploadMemoryStaysFlat()
{
    // A 2 GiB sparse archive streams through the client. The peak resident size may grow by
    // far less than the file, and the 256 MiB limit leaves room for Qt's buffers.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const qint64 size = 2LL * 1024 * 1024 * 1024;
    const QString path = makeSparseFile(dir.filePath(QStringLiteral("huge.tar")), size);
    if (path.isEmpty())
        QSKIP("The temporary folder cannot hold a 2 GiB sparse file.");

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.setMaxRecordedBodyBytes(0);
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);

    const qint64 peakBefore = peakResidentKiB();
    AddMediaRequest request;
    request.archive = path;
    auto future = service->addMedia(QStringLiteral("ds-huge"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 240'000);
    QCOMPARE(failureOf(future).detail(), QString());
    QVERIFY(server.requests().first().bodySize > size);

    const qint64 growthKiB = peakResidentKiB() - peakBefore;
    QVERIFY2(growthKiB < 256 * 1024, qPrintable(QStringLiteral("peak grew by %1 KiB").arg(growthKiB)));
}

void TestCloudService::uploadTimeoutCountsFromLastProgress()
{
    // The server reads about 12.5 MiB/s, so the 24 MiB upload takes about twice the 1 s
    // upload timeout. It succeeds only if the timeout restarts with every progress.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = makeSparseFile(dir.filePath(QStringLiteral("slow.zip")), 24LL * 1024 * 1024);
    QVERIFY(!path.isEmpty());

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.setMaxRecordedBodyBytes(0);
    server.enqueue(CannedResponse::throttled(202, 256 * 1024));
    auto service = makeService(server);
    service->setUploadTimeout(1000ms);

    AddMediaRequest request;
    request.archive = path;
    auto future = service->addMedia(QStringLiteral("ds-slow"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 120'000);
    QCOMPARE(failureOf(future).detail(), QString());
    QVERIFY(server.requests().first().bodySize > 24LL * 1024 * 1024);
}

void TestCloudService::stalledUploadTimesOut()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = makeSparseFile(dir.filePath(QStringLiteral("stuck.zip")), 64LL * 1024 * 1024);
    QVERIFY(!path.isEmpty());

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::stopReadingAfter(128 * 1024));
    auto service = makeService(server);
    service->setUploadTimeout(500ms);

    AddMediaRequest request;
    request.archive = path;
    auto future = service->addMedia(QStringLiteral("ds-stuck"), request);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    const ServiceError error = failureOf(future);
    QCOMPARE(error.code(), 0);
    QVERIFY2(error.detail().contains(QStringLiteral("timed out after 0.5 s")), qPrintable(error.detail()));
}

// ---- Datasets, tasks, media ------------------------------------------------------------

void TestCloudService::createDatasetServerForm()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::json(200, QJsonDocument(QJsonObject{
        { QStringLiteral("status"), QStringLiteral("success") },
        { QStringLiteral("message"), QStringLiteral("Dataset processing started") },
        { QStringLiteral("dataset_id"), QStringLiteral("new-1") },
    })));
    server.enqueue(datasetResponse(QStringLiteral("new-1"), QStringLiteral("INDEXING")));
    auto service = makeService(server, RemoteConnection::Kind::Server);
    QSignalSpy listChanged(service.get(), &DatasetService::datasetListChanged);
    QVERIFY(listChanged.isValid());

    auto future = service->createDataset({ QStringLiteral("holiday"), QStringLiteral("/data/holiday") });
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(future.result().id, QStringLiteral("new-1"));
    QCOMPARE(future.result().status, DatasetStatus::Indexing);
    QCOMPARE(listChanged.count(), 1);

    const RecordedRequest &sent = server.requests().first();
    QCOMPARE(sent.path, QStringLiteral("/api/v1/process"));
    QCOMPARE(sent.query.queryItemValue(QStringLiteral("path"), QUrl::FullyDecoded), QStringLiteral("/data/holiday"));
    QCOMPARE(sent.query.queryItemValue(QStringLiteral("name")), QStringLiteral("holiday"));
}

void TestCloudService::createDatasetCloudForm()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::json(200, QJsonDocument(QJsonObject{
        { QStringLiteral("dataset_id"), QStringLiteral("c-9") } })));
    server.enqueue(datasetResponse(QStringLiteral("c-9"), QStringLiteral("DRAFT")));
    auto service = makeService(server, RemoteConnection::Kind::Cloud);

    auto future = service->createDataset({ QStringLiteral("birds"), QStringLiteral("s3://my-bucket/birds/") });
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(future.result().id, QStringLiteral("c-9"));

    const RecordedRequest &sent = server.requests().first();
    QCOMPARE(sent.method, QByteArray("POST"));
    QCOMPARE(sent.path, QStringLiteral("/api/v1/dataset"));
    QCOMPARE(sent.parts("dataset_name").first().body, QByteArray("birds"));
    QCOMPARE(sent.parts("bucket_path").first().body, QByteArray("s3://my-bucket/birds/"));
}

void TestCloudService::createDatasetCloudRejectsLocalPath()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    auto service = makeService(server, RemoteConnection::Kind::Cloud);

    auto future = service->createDataset({ QStringLiteral("birds"), QStringLiteral("/home/me/birds") });
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).code(), 400);
    QCOMPARE(server.connectionsSeen(), 0);
}

void TestCloudService::reindexPostsToDataset()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::empty(202));
    auto service = makeService(server);

    auto future = service->reindex(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(server.requests().first().method, QByteArray("POST"));
    QCOMPARE(server.requests().first().path, QStringLiteral("/api/v1/dataset/ds1/reindex"));
}

void TestCloudService::listDatasetsParsesArray()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::json(200, QJsonDocument(QJsonArray{
        datasetJson(QStringLiteral("a"), QStringLiteral("READY")),
        datasetJson(QStringLiteral("b"), QStringLiteral("PARTIAL INDEX")),
    })));
    auto service = makeService(server);

    auto future = service->listDatasets();
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    const QList<DatasetInfo> datasets = future.result();
    QCOMPARE(datasets.size(), 2);
    QCOMPARE(datasets.at(1).id, QStringLiteral("b"));
    QCOMPARE(datasets.at(1).status, DatasetStatus::PartialIndex);
    QCOMPARE(server.requests().first().path, QStringLiteral("/api/v1/datasets"));
}

void TestCloudService::tasksSendsEveryFilter()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    TaskInfo running;
    running.taskId = QStringLiteral("t1");
    running.datasetId = QStringLiteral("ds1");
    running.type = TaskType::MediaAddition;
    running.status = TaskStatus::Running;
    TaskPage page;
    page.tasks = { running };
    page.total = 1;
    page.page = 2;
    page.pageSize = 5;
    server.enqueue(CannedResponse::json(200, QJsonDocument(page.toJson())));
    auto service = makeService(server);

    TaskQuery query;
    query.datasetId = QStringLiteral("ds1");
    query.datasetName = QStringLiteral("photos");
    query.type = TaskType::MediaAddition;
    query.status = TaskStatus::Running;
    query.sortBy = QStringLiteral("status");
    query.ascending = true;
    query.page = 2;
    query.pageSize = 5;
    auto future = service->tasks(query);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(future.result().tasks.size(), 1);
    QCOMPARE(future.result().tasks.first().taskId, QStringLiteral("t1"));

    const QUrlQuery &sent = server.requests().first().query;
    QCOMPARE(server.requests().first().path, QStringLiteral("/api/v1/tasks"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("dataset_id")), QStringLiteral("ds1"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("dataset_name")), QStringLiteral("photos"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("task_type")), QStringLiteral("MEDIA_ADDITION"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("task_status")), QStringLiteral("RUNNING"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("sort_by")), QStringLiteral("status"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("sort_order")), QStringLiteral("asc"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("page")), QStringLiteral("2"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("page_size")), QStringLiteral("5"));
}

void TestCloudService::taskFoundOnSecondPage()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    TaskPage first;
    for (int i = 0; i < 50; ++i) {
        TaskInfo info;
        info.taskId = QStringLiteral("other-%1").arg(i);
        first.tasks.append(info);
    }
    first.total = 51;
    TaskPage second;
    TaskInfo wanted;
    wanted.taskId = QStringLiteral("wanted");
    wanted.type = TaskType::Reindex;
    second.tasks = { wanted };
    second.total = 51;
    second.page = 2;
    server.enqueue(CannedResponse::json(200, QJsonDocument(first.toJson())));
    server.enqueue(CannedResponse::json(200, QJsonDocument(second.toJson())));
    auto service = makeService(server);

    auto future = service->task(QStringLiteral("wanted"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(future.result().type, TaskType::Reindex);
    QCOMPARE(server.requests().size(), 2);
    QCOMPARE(server.requests().at(1).query.queryItemValue(QStringLiteral("page")), QStringLiteral("2"));

    server.enqueue(CannedResponse::json(200, QJsonDocument(second.toJson())));
    auto missing = service->task(QStringLiteral("absent"));
    QTRY_VERIFY_WITH_TIMEOUT(missing.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(missing).code(), 404);
}

void TestCloudService::mediaMapsExplorePreviews()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    const QJsonObject preview{
        { QStringLiteral("type"), QStringLiteral("IMAGE") },
        { QStringLiteral("media_id"), QStringLiteral("m1") },
        { QStringLiteral("media_uri"), QStringLiteral("https://cdn.example/m1.jpg") },
        { QStringLiteral("media_thumb_uri"), QStringLiteral("/cdn/ds1/thumbs/m1.jpg") },
        { QStringLiteral("file_name"), QStringLiteral("m1.jpg") },
        { QStringLiteral("width"), 640 },
        { QStringLiteral("height"), 480 },
    };
    const QJsonObject cluster{
        { QStringLiteral("cluster_id"), 7 },
        { QStringLiteral("previews"), QJsonArray{ preview } },
    };
    server.enqueue(CannedResponse::json(200, QJsonDocument(QJsonObject{
        { QStringLiteral("clusters"), QJsonArray{ cluster } } })));
    auto service = makeService(server);

    MediaQuery query;
    query.datasetId = QStringLiteral("ds1");
    auto future = service->media(query);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    const MediaPage page = future.result();
    QCOMPARE(page.items.size(), 1);
    QCOMPARE(page.items.first().id, QStringLiteral("m1"));
    QCOMPARE(page.items.first().clusterId, 7);
    QCOMPARE(page.items.first().datasetId, QStringLiteral("ds1"));
    QCOMPARE(page.items.first().thumbnailUri, QStringLiteral("/cdn/ds1/thumbs/m1.jpg"));
    QCOMPARE(server.requests().first().path, QStringLiteral("/api/v1/explore/ds1"));
    QCOMPARE(server.requests().first().query.queryItemValue(QStringLiteral("page_number")), QStringLiteral("0"));
}

void TestCloudService::mediaEmptyWithoutExploreEndpoint()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    // The media listing and then the explore endpoint are missing routes.
    server.enqueue(CannedResponse::detail(404, QStringLiteral("Not Found")));
    server.enqueue(CannedResponse::detail(404, QStringLiteral("Not Found")));
    server.enqueue(CannedResponse::detail(404, QStringLiteral("Dataset not found")));
    auto service = makeService(server, RemoteConnection::Kind::Server);

    MediaQuery query;
    query.datasetId = QStringLiteral("ds1");
    auto future = service->media(query);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(future.result().items.size(), 0);
    QCOMPARE(server.requests().size(), 2);
    QCOMPARE(server.requests().at(0).path, QStringLiteral("/api/v1/dataset/ds1/media"));
    QCOMPARE(server.requests().at(1).path, QStringLiteral("/api/v1/explore/ds1"));

    auto missing = service->media(query);
    QTRY_VERIFY_WITH_TIMEOUT(missing.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(missing).code(), 404);
    QCOMPARE(failureOf(missing).detail(), QStringLiteral("Dataset not found"));
}

void TestCloudService::thumbnailDownloadsAndScales()
{
    const QStringList photos = opencvPhotos();
    QVERIFY2(!photos.isEmpty(), "needs the opencv-doc package");
    QFile photo(photos.first());
    QVERIFY(photo.open(QIODevice::ReadOnly));
    CannedResponse image;
    image.body = photo.readAll();
    image.contentType = "image/jpeg";

    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(image);
    auto service = makeService(server);

    MediaItem item;
    item.id = QStringLiteral("m1");
    item.thumbnailUri = QStringLiteral("/cdn/ds1/thumbs/m1.jpg");
    auto future = service->thumbnail(item, QSize(64, 64));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    const QImage thumbnail = future.result();
    QVERIFY(!thumbnail.isNull());
    QVERIFY(thumbnail.width() <= 64);
    QVERIFY(thumbnail.height() <= 64);
    QCOMPARE(server.requests().first().path, QStringLiteral("/cdn/ds1/thumbs/m1.jpg"));
    QVERIFY(server.requests().first().headers.contains("authorization"));
}

void TestCloudService::thumbnailElsewhereSentWithoutToken()
{
    const QStringList photos = opencvPhotos();
    QVERIFY2(!photos.isEmpty(), "needs the opencv-doc package");
    QFile photo(photos.first());
    QVERIFY(photo.open(QIODevice::ReadOnly));
    CannedResponse image;
    image.body = photo.readAll();
    image.contentType = "image/jpeg";

    ScriptedHttpServer api;
    QVERIFY(api.listen());
    ScriptedHttpServer storage; // another origin: same host, another port
    QVERIFY(storage.listen());
    storage.enqueue(image);
    auto service = makeService(api);

    MediaItem item;
    item.id = QStringLiteral("m1");
    item.thumbnailUri = storage.url().toString() + QStringLiteral("/thumbs/m1.jpg");
    auto future = service->thumbnail(item, QSize(32, 32));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(storage.requests().size(), 1);
    QVERIFY(!storage.requests().first().headers.contains("authorization"));
    QCOMPARE(api.connectionsSeen(), 0);
}

// ---- Watching --------------------------------------------------------------------------

void TestCloudService::watchSeesUnderscoreSpellingsAndStops()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READ_ONLY"), 10));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READ_ONLY"), 10));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READ ONLY"), 60));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("PARTIAL_INDEX"), 100, 12));
    server.setFallback(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    auto service = makeService(server);
    QSignalSpy changed(service.get(), &DatasetService::datasetChanged);
    QVERIFY(changed.isValid());

    service->watchDataset(QStringLiteral("ds1"));
    QVERIFY(service->isWatching(QStringLiteral("ds1")));
    QTRY_VERIFY_WITH_TIMEOUT(!service->isWatching(QStringLiteral("ds1")), futureTimeoutMs);

    QCOMPARE(server.requests().size(), 4);
    QCOMPARE(changed.count(), 3); // the repeated READ_ONLY is not a change
    QCOMPARE(changed.at(0).at(0).value<DatasetInfo>().status, DatasetStatus::ReadOnly);
    QCOMPARE(changed.at(1).at(0).value<DatasetInfo>().progress, 60);
    const DatasetInfo last = changed.at(2).at(0).value<DatasetInfo>();
    QCOMPARE(last.status, DatasetStatus::PartialIndex);
    QCOMPARE(last.nImages, 12);
}

void TestCloudService::watchIgnoresStaleStatusAfterRequest()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    server.enqueue(CannedResponse::empty(202));
    // Right after the 202 the dataset still reads READY, then the batch shows up.
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READ ONLY"), 50));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("INDEXING"), 80));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY"), 100, 14));
    server.setFallback(datasetResponse(QStringLiteral("ds1"), QStringLiteral("ERROR")));
    auto service = makeService(server);
    service->setWatchGracePeriod(120s);
    QSignalSpy changed(service.get(), &DatasetService::datasetChanged);
    QVERIFY(changed.isValid());

    auto before = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(before.isFinished(), futureTimeoutMs);
    AddMediaRequest request;
    request.s3Uri = QStringLiteral("s3://my-bucket/more/");
    request.autoReindex = true;
    auto accepted = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(accepted.isFinished(), futureTimeoutMs);
    QCOMPARE(failureOf(accepted).detail(), QString());

    service->watchDataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(!service->isWatching(QStringLiteral("ds1")), futureTimeoutMs);

    QCOMPARE(server.pendingResponses(), 0);
    QCOMPARE(server.requests().size(), 7);
    QCOMPARE(changed.count(), 4);
    QCOMPARE(changed.at(0).at(0).value<DatasetInfo>().status, DatasetStatus::Ready);
    QCOMPARE(changed.at(1).at(0).value<DatasetInfo>().status, DatasetStatus::ReadOnly);
    QCOMPARE(changed.at(2).at(0).value<DatasetInfo>().status, DatasetStatus::Indexing);
    QCOMPARE(changed.at(3).at(0).value<DatasetInfo>().status, DatasetStatus::Ready);
    QCOMPARE(changed.at(3).at(0).value<DatasetInfo>().nImages, 14);
}

void TestCloudService::watchStopsAfterGracePeriod()
{
    // A batch that ends before the first poll leaves the status where it was. Once the grace
    // period has passed, that status counts as the outcome.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("PARTIAL INDEX")));
    server.enqueue(CannedResponse::empty(202));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("PARTIAL INDEX"), 0, 11));
    server.setFallback(datasetResponse(QStringLiteral("ds1"), QStringLiteral("ERROR")));
    auto service = makeService(server);
    service->setWatchGracePeriod(0ms);
    QSignalSpy changed(service.get(), &DatasetService::datasetChanged);
    QVERIFY(changed.isValid());

    auto before = service->dataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(before.isFinished(), futureTimeoutMs);
    AddMediaRequest request;
    request.s3Uri = QStringLiteral("s3://my-bucket/more/");
    auto accepted = service->addMedia(QStringLiteral("ds1"), request);
    QTRY_VERIFY_WITH_TIMEOUT(accepted.isFinished(), futureTimeoutMs);

    service->watchDataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(!service->isWatching(QStringLiteral("ds1")), futureTimeoutMs);
    QCOMPARE(server.requests().size(), 3);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).value<DatasetInfo>().nImages, 11);
}

void TestCloudService::watchReadsLegacyStatus()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    QJsonObject legacyUpdating = datasetJson(QStringLiteral("ds1"), QString());
    legacyUpdating.insert(QStringLiteral("status"), QStringLiteral("UPDATING"));
    QJsonObject legacyReady = datasetJson(QStringLiteral("ds1"), QString());
    legacyReady.insert(QStringLiteral("status"), QStringLiteral("READY"));
    server.enqueue(CannedResponse::json(200, QJsonDocument(legacyUpdating)));
    server.enqueue(CannedResponse::json(200, QJsonDocument(legacyReady)));
    server.setFallback(datasetResponse(QStringLiteral("ds1"), QStringLiteral("ERROR")));
    auto service = makeService(server);
    QSignalSpy changed(service.get(), &DatasetService::datasetChanged);
    QVERIFY(changed.isValid());

    service->watchDataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(!service->isWatching(QStringLiteral("ds1")), futureTimeoutMs);
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(0).at(0).value<DatasetInfo>().status, DatasetStatus::ReadOnly);
    QCOMPARE(changed.at(1).at(0).value<DatasetInfo>().status, DatasetStatus::Ready);
}

void TestCloudService::watchFailedKeepsPolling()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(CannedResponse::detail(500, QStringLiteral("database unavailable")));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READ ONLY")));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("ERROR")));
    server.setFallback(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY")));
    auto service = makeService(server);
    QSignalSpy changed(service.get(), &DatasetService::datasetChanged);
    QSignalSpy failed(service.get(), &DatasetService::watchFailed);
    QVERIFY(changed.isValid());
    QVERIFY(failed.isValid());

    service->watchDataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(!service->isWatching(QStringLiteral("ds1")), futureTimeoutMs);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.first().at(0).toString(), QStringLiteral("ds1"));
    const auto error = failed.first().at(1).value<ServiceError>();
    QCOMPARE(error.code(), 500);
    QCOMPARE(error.detail(), QStringLiteral("database unavailable"));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.last().at(0).value<DatasetInfo>().status, DatasetStatus::Error);
}

void TestCloudService::watchDoesNotTreatProgressAsDone()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READ ONLY"), 100));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("INDEXING"), 100));
    server.enqueue(datasetResponse(QStringLiteral("ds1"), QStringLiteral("READY"), 100));
    auto service = makeService(server);
    QSignalSpy changed(service.get(), &DatasetService::datasetChanged);
    QVERIFY(changed.isValid());

    service->watchDataset(QStringLiteral("ds1"));
    QTRY_VERIFY_WITH_TIMEOUT(!service->isWatching(QStringLiteral("ds1")), futureTimeoutMs);
    QCOMPARE(server.requests().size(), 3);
    QCOMPARE(changed.count(), 3);
    QCOMPARE(changed.last().at(0).value<DatasetInfo>().status, DatasetStatus::Ready);
}

QTEST_GUILESS_MAIN(TestCloudService)
#include "tst_cloudservice.moc"
