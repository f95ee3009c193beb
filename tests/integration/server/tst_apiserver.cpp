#include <csignal>
#include <cstdlib>
#include <memory>
#include <optional>

#include <jwt.h>

#include <QCryptographicHash>
#include <QDir>
#include <QImage>
#include <QMimeDatabase>
#include <QSet>
#include <QFile>
#include <QHttpMultiPart>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include "core/metatypes.h"
#include "pipeline/embeddedservice.h"
#include "server/apiserver.h"
#include "server/servecommand.h"
#include "testsupport.h"

using namespace Accrete;

namespace {

const QString apiKey = QStringLiteral("test-key");
const QByteArray apiSecret = QByteArrayLiteral("test-secret-0123456789abcdef");

// Generous: the first index of a dataset decodes and embeds every photo.
constexpr int settleTimeoutMs = 180'000;
constexpr int requestTimeoutMs = 120'000;

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray contentType;

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
    QString detail() const { return object().value(QStringLiteral("detail")).toString(); }
};

struct TokenSpec
{
    QString key = apiKey;
    QByteArray secret = apiSecret;
    qint64 expiresIn = 600; // seconds from now
    bool withIssuedAt = true;
};

QByteArray makeToken(const TokenSpec &spec)
{
    jwt_t *token = nullptr;
    if (jwt_new(&token) != 0)
        return QByteArray();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray key = spec.key.toUtf8();
    jwt_set_alg(token, JWT_ALG_HS256, reinterpret_cast<const unsigned char *>(spec.secret.constData()),
                int(spec.secret.size()));
    jwt_add_header(token, "kid", key.constData());
    jwt_add_grant(token, "sub", key.constData());
    jwt_add_grant(token, "iss", "sdk");
    if (spec.withIssuedAt)
        jwt_add_grant_int(token, "iat", long(now));
    jwt_add_grant_int(token, "exp", long(now + spec.expiresIn));
    char *encoded = jwt_encode_str(token);
    const QByteArray result(encoded ? encoded : "");
    std::free(encoded);
    jwt_free(token);
    return result;
}

// A multipart body: file parts (field name, path) and text fields (name, value).
struct FormSpec
{
    QList<std::pair<QString, QString>> files;
    QList<std::pair<QString, QString>> fields;
};

QHttpMultiPart *makeMultiPart(const FormSpec &spec)
{
    auto *multiPart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
    for (const auto &[name, path] : spec.files) {
        QHttpPart part;
        part.setHeader(QNetworkRequest::ContentDispositionHeader,
                       QStringLiteral("form-data; name=\"%1\"; filename=\"%2\"")
                           .arg(name, QFileInfo(path).fileName()));
        part.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/octet-stream"));
        auto *file = new QFile(path, multiPart);
        if (!file->open(QIODevice::ReadOnly))
            qWarning("Could not open %s", qPrintable(path));
        part.setBodyDevice(file);
        multiPart->append(part);
    }
    for (const auto &[name, value] : spec.fields) {
        QHttpPart part;
        part.setHeader(QNetworkRequest::ContentDispositionHeader,
                       QStringLiteral("form-data; name=\"%1\"").arg(name));
        part.setBody(value.toUtf8());
        multiPart->append(part);
    }
    return multiPart;
}

} // namespace

class ApiServerTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void listDatasetsContainsDataset();
    void getDatasetReturnsReadyDataset();
    void getUnknownDatasetReturns404();
    void addMediaFilesReachesPartialIndex();
    void addMediaArchiveReachesPartialIndex();
    void addMediaAutoReindexReachesReady();
    void reindexReturns202ThenReady();
    void reindexOnReadyDatasetReturns409();
    void addMediaRejectedWhileBatchRuns();
    void addMediaRejectsTwoSources();
    void addMediaRejectsNoSource();
    void addMediaUnknownDatasetReturns404();
    void addMediaRejectsMalformedS3Uri();
    void addMediaRejectsMalformedInteger();
    void addMediaOverSizeLimitReturns413();
    void addMediaOverSizeLimitWithCurl();
    void unauthenticatedRequestReturns401_data();
    void unauthenticatedRequestReturns401();
    void validTokenIsAccepted();
    void noAuthServesWithoutToken();
    void processPathOutsideRootRejected_data();
    void processPathOutsideRootRejected();
    void processWithoutAllowRootRejected();
    void processInsideRootCreatesDataset();
    void processAddMediaInsideRootAccepted();
    void tasksFilterAndPage();
    void tasksPageSizeOutOfRange_data();
    void tasksPageSizeOutOfRange();
    void mediaListingPagesItems();
    void mediaListingSorts_data();
    void mediaListingSorts();
    void mediaListingRejectsBadParameters_data();
    void mediaListingRejectsBadParameters();
    void mediaEndpointsUnknownDatasetReturn404_data();
    void mediaEndpointsUnknownDatasetReturn404();
    void mediaUnknownItemReturns404_data();
    void mediaUnknownItemReturns404();
    void mediaThumbnailDecodesAtStoredSize();
    void mediaFileMatchesSha256();
    void mediaEndpointsRequireToken_data();
    void mediaEndpointsRequireToken();
    void exploreListsEveryItemAsPreview();
    void exploreRejectsBadParameters_data();
    void exploreRejectsBadParameters();
    void serveCommandStopsOnSigterm();
    void serveCommandRejectsMissingKey();
    void serveCommandRejectsInvalidOptions_data();
    void serveCommandRejectsInvalidOptions();

private:
    ApiServerOptions defaultOptions() const;
    void startServer(const ApiServerOptions &options);
    HttpResult send(const QByteArray &verb, const QString &pathAndQuery, const FormSpec *form = nullptr,
                    std::optional<QByteArray> token = std::nullopt);
    QString statusOf(const QString &datasetId);
    int imageCountOf(const QString &datasetId);
    QString createReadyDataset(int photoCount, int offset);
    QStringList uploadFolderEntries() const;
    // Every item of `datasetId` through the listing endpoint, in `sort` order.
    QJsonArray listAllMedia(const QString &datasetId, const QString &sort = QStringLiteral("added"));

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedService> m_service;
    std::unique_ptr<ApiServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    QString m_datasetId;
};

void ApiServerTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
    QVERIFY2(TestSupport::opencvPhotos().size() >= 30,
             "Install the opencv-doc package: these tests upload its example photos.");
}

void ApiServerTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_service = std::make_unique<EmbeddedService>(m_dir->filePath(QStringLiteral("data")));
    m_network = std::make_unique<QNetworkAccessManager>();
    startServer(defaultOptions());
    QVERIFY(m_server->isListening());
    m_datasetId = createReadyDataset(4, 0);
    QVERIFY(!m_datasetId.isEmpty());
}

void ApiServerTest::cleanup()
{
    if (m_server)
        m_server->close();
    m_server.reset();
    m_network.reset();
    m_service.reset();
    m_dir.reset();
}

ApiServerOptions ApiServerTest::defaultOptions() const
{
    ApiServerOptions options;
    options.port = 0;
    options.uploadDir = m_dir->filePath(QStringLiteral("data/.server-uploads"));
    options.apiKey = apiKey;
    options.apiSecret = apiSecret;
    return options;
}

void ApiServerTest::startServer(const ApiServerOptions &options)
{
    if (m_server)
        m_server->close();
    m_server = std::make_unique<ApiServer>(m_service.get(), options);
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));
    QVERIFY(m_server->port() != 0);
}

HttpResult ApiServerTest::send(const QByteArray &verb, const QString &pathAndQuery, const FormSpec *form,
                               std::optional<QByteArray> token)
{
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->port()).arg(pathAndQuery)));
    request.setTransferTimeout(requestTimeoutMs);
    const QByteArray bearer = token ? *token : makeToken({});
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);

    QNetworkReply *reply = nullptr;
    if (form) {
        QHttpMultiPart *multiPart = makeMultiPart(*form);
        reply = m_network->sendCustomRequest(request, verb, multiPart);
        multiPart->setParent(reply);
    } else {
        reply = m_network->sendCustomRequest(request, verb);
    }
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.isValid() || (!reply->isFinished() && !finished.wait(requestTimeoutMs))) {
        reply->deleteLater();
        return HttpResult{};
    }
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.error = reply->error();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return result;
}

QString ApiServerTest::statusOf(const QString &datasetId)
{
    const HttpResult result = send("GET", QStringLiteral("/api/v1/dataset/") + datasetId);
    return result.object().value(QStringLiteral("status_new")).toString();
}

int ApiServerTest::imageCountOf(const QString &datasetId)
{
    const HttpResult result = send("GET", QStringLiteral("/api/v1/dataset/") + datasetId);
    return result.object().value(QStringLiteral("n_images")).toInt(-1);
}

QString ApiServerTest::createReadyDataset(int photoCount, int offset)
{
    const QString source = m_dir->filePath(QStringLiteral("source-%1").arg(offset));
    if (TestSupport::copyPhotos(source, photoCount, offset).size() != photoCount)
        return QString();

    CreateDatasetRequest request;
    request.name = QStringLiteral("photos-%1").arg(offset);
    request.path = source;
    QFuture<DatasetInfo> future = m_service->createDataset(request);
    QString datasetId;
    // QTRY_* return from the enclosing function on failure, so they run in void lambdas here.
    [&]() { QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), requestTimeoutMs); }();
    if (!future.isFinished())
        return QString();
    try {
        datasetId = future.result().id;
    } catch (const ServiceError &error) {
        qWarning("createDataset failed: %s", qPrintable(error.toString()));
        return QString();
    }
    [&]() { QTRY_COMPARE_WITH_TIMEOUT(statusOf(datasetId), QStringLiteral("READY"), settleTimeoutMs); }();
    return statusOf(datasetId) == QLatin1String("READY") ? datasetId : QString();
}

QStringList ApiServerTest::uploadFolderEntries() const
{
    return QDir(m_server->options().uploadDir)
        .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
}

void ApiServerTest::listDatasetsContainsDataset()
{
    const HttpResult result = send("GET", QStringLiteral("/api/v1/datasets?sort_by=date&include_hidden=false"));
    QCOMPARE(result.status, 200);
    const QJsonArray datasets = result.array();
    QCOMPARE(datasets.size(), 1);
    const QJsonObject dataset = datasets.at(0).toObject();
    QCOMPARE(dataset.value(QStringLiteral("id")).toString(), m_datasetId);
    QCOMPARE(dataset.value(QStringLiteral("display_name")).toString(), QStringLiteral("photos-0"));
    QCOMPARE(dataset.value(QStringLiteral("status_new")).toString(), QStringLiteral("READY"));
}

void ApiServerTest::getDatasetReturnsReadyDataset()
{
    const HttpResult result = send("GET", QStringLiteral("/api/v1/dataset/") + m_datasetId);
    QCOMPARE(result.status, 200);
    const QJsonObject dataset = result.object();
    QCOMPARE(dataset.value(QStringLiteral("id")).toString(), m_datasetId);
    QCOMPARE(dataset.value(QStringLiteral("status_new")).toString(), QStringLiteral("READY"));
    QCOMPARE(dataset.value(QStringLiteral("n_images")).toInt(), 4);
}

void ApiServerTest::getUnknownDatasetReturns404()
{
    const HttpResult result = send("GET", QStringLiteral("/api/v1/dataset/no-such-dataset"));
    QCOMPARE(result.status, 404);
    QCOMPARE(result.detail(), QStringLiteral("Dataset not found"));
}

void ApiServerTest::addMediaFilesReachesPartialIndex()
{
    const QStringList photos =
        TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 2, 10);
    QCOMPARE(photos.size(), 2);
    const FormSpec form{ { { QStringLiteral("files"), photos.at(0) }, { QStringLiteral("files"), photos.at(1) } }, {} };

    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form);
    QCOMPARE(result.status, 202);
    QVERIFY(result.body.isEmpty());

    QTRY_COMPARE_WITH_TIMEOUT(statusOf(m_datasetId), QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);
    QCOMPARE(imageCountOf(m_datasetId), 6);
    // The uploaded copies go once the batch has stored them.
    QTRY_VERIFY_WITH_TIMEOUT(uploadFolderEntries().isEmpty(), settleTimeoutMs);
}

void ApiServerTest::addMediaArchiveReachesPartialIndex()
{
    const QString archive = TestSupport::makePhotoArchive(m_dir->filePath(QStringLiteral("batch.zip")),
                                                          TestSupport::ArchiveFormat::Zip, 3, 12);
    QVERIFY(!archive.isEmpty());
    const FormSpec form{ { { QStringLiteral("archive"), archive } }, {} };

    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form);
    QCOMPARE(result.status, 202);
    QVERIFY(result.body.isEmpty());

    QTRY_COMPARE_WITH_TIMEOUT(statusOf(m_datasetId), QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);
    QCOMPARE(imageCountOf(m_datasetId), 7);
}

void ApiServerTest::addMediaAutoReindexReachesReady()
{
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 2, 15);
    QCOMPARE(photos.size(), 2);
    // `files[]` is accepted as well as `files`.
    const FormSpec form{ { { QStringLiteral("files[]"), photos.at(0) }, { QStringLiteral("files[]"), photos.at(1) } },
                         { { QStringLiteral("auto_reindex"), QStringLiteral("true") } } };

    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form);
    QCOMPARE(result.status, 202);

    // One request runs the batch and the reindex: the dataset ends READY.
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(m_datasetId), QStringLiteral("READY"), settleTimeoutMs);
    QCOMPARE(imageCountOf(m_datasetId), 6);

    const HttpResult tasks = send("GET", QStringLiteral("/api/v1/tasks?dataset_id=%1&task_type=MEDIA_ADDITION").arg(m_datasetId));
    QCOMPARE(tasks.status, 200);
    QCOMPARE(tasks.object().value(QStringLiteral("total")).toInt(), 1);
}

void ApiServerTest::reindexReturns202ThenReady()
{
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 1, 18);
    const FormSpec form{ { { QStringLiteral("files"), photos.value(0) } }, {} };
    QCOMPARE(send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form).status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(m_datasetId), QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);

    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/reindex").arg(m_datasetId));
    QCOMPARE(result.status, 202);
    QVERIFY(result.body.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(m_datasetId), QStringLiteral("READY"), settleTimeoutMs);
}

void ApiServerTest::reindexOnReadyDatasetReturns409()
{
    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/reindex").arg(m_datasetId));
    QCOMPARE(result.status, 409);
    QVERIFY2(result.detail().startsWith(QLatin1String("Operation 'reindex'")), result.body.constData());

    const HttpResult missing = send("POST", QStringLiteral("/api/v1/dataset/no-such-dataset/reindex"));
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.detail(), QStringLiteral("Dataset not found"));
}

void ApiServerTest::addMediaRejectedWhileBatchRuns()
{
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 12, 20);
    QCOMPARE(photos.size(), 12);
    FormSpec first;
    for (const QString &photo : photos.mid(0, 10))
        first.files.append({ QStringLiteral("files"), photo });
    QCOMPARE(send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &first).status, 202);

    const FormSpec second{ { { QStringLiteral("files"), photos.at(11) } }, {} };
    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &second);
    QCOMPARE(result.status, 409);
    QCOMPARE(result.detail(), QStringLiteral("Operation 'add_media' is blocked while MEDIA_ADDITION task is running"));

    QTRY_COMPARE_WITH_TIMEOUT(statusOf(m_datasetId), QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);
    QCOMPARE(imageCountOf(m_datasetId), 14);
    // Both the stored batch's copies and the rejected request's copy are gone.
    QTRY_VERIFY_WITH_TIMEOUT(uploadFolderEntries().isEmpty(), settleTimeoutMs);
}

void ApiServerTest::addMediaRejectsTwoSources()
{
    const QString archive = TestSupport::makePhotoArchive(m_dir->filePath(QStringLiteral("batch.tar")),
                                                          TestSupport::ArchiveFormat::Tar, 1, 12);
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 1, 10);
    const FormSpec form{ { { QStringLiteral("files"), photos.value(0) }, { QStringLiteral("archive"), archive } }, {} };

    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form);
    QCOMPARE(result.status, 400);
    QCOMPARE(result.detail(), QStringLiteral("Exactly one media source must be provided: files[], s3_uri, or archive"));
    QVERIFY(uploadFolderEntries().isEmpty());
    QCOMPARE(statusOf(m_datasetId), QStringLiteral("READY"));
}

void ApiServerTest::addMediaRejectsNoSource()
{
    const FormSpec form{ {}, { { QStringLiteral("auto_reindex"), QStringLiteral("false") } } };
    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form);
    QCOMPARE(result.status, 400);
    QCOMPARE(result.detail(), QStringLiteral("Exactly one media source must be provided: files[], s3_uri, or archive"));
}

void ApiServerTest::addMediaUnknownDatasetReturns404()
{
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 1, 10);
    const FormSpec form{ { { QStringLiteral("files"), photos.value(0) } }, {} };
    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/no-such-dataset/add_media"), &form);
    QCOMPARE(result.status, 404);
    QCOMPARE(result.detail(), QStringLiteral("Dataset not found"));
    QVERIFY(uploadFolderEntries().isEmpty());
}

void ApiServerTest::addMediaRejectsMalformedS3Uri()
{
    // A malformed URI: nothing is fetched from any network location.
    const QString uri = QStringLiteral("s3://Not_A_Bucket/photos/");
    const FormSpec form{ {}, { { QStringLiteral("s3_uri"), uri } } };
    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form);
    QCOMPARE(result.status, 400);
    QCOMPARE(result.detail(), QStringLiteral("Invalid S3 URI or no media files found at %1").arg(uri));
}

void ApiServerTest::addMediaRejectsMalformedInteger()
{
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 1, 10);
    const FormSpec form{ { { QStringLiteral("files"), photos.value(0) } },
                         { { QStringLiteral("batch_n_images"), QStringLiteral("many") } } };
    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form);
    QCOMPARE(result.status, 422);
    const QJsonArray detail = result.object().value(QStringLiteral("detail")).toArray();
    QCOMPARE(detail.size(), 1);
    const QJsonObject entry = detail.at(0).toObject();
    QCOMPARE(entry.value(QStringLiteral("loc")).toArray(),
             (QJsonArray{ QStringLiteral("body"), QStringLiteral("batch_n_images") }));
    QCOMPARE(entry.value(QStringLiteral("type")).toString(), QStringLiteral("int_parsing"));
    QVERIFY(!entry.value(QStringLiteral("msg")).toString().isEmpty());
    QVERIFY(uploadFolderEntries().isEmpty());
}

void ApiServerTest::addMediaOverSizeLimitReturns413()
{
    ApiServerOptions options = defaultOptions();
    options.maxUploadSize = 64 * 1024;
    startServer(options);

    QStringList photos;
    for (const QString &photo : TestSupport::opencvPhotos()) {
        if (QFileInfo(photo).size() > options.maxUploadSize)
            photos.append(photo);
    }
    QVERIFY(!photos.isEmpty());
    const FormSpec form{ { { QStringLiteral("files"), photos.constFirst() } }, {} };

    const HttpResult result = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form);
    QCOMPARE(result.status, 413);
    QVERIFY2(result.detail().contains(QString::number(options.maxUploadSize)), result.body.constData());
    QVERIFY(uploadFolderEntries().isEmpty());
    QCOMPARE(imageCountOf(m_datasetId), 4);
}

void ApiServerTest::addMediaOverSizeLimitWithCurl()
{
    ApiServerOptions options = defaultOptions();
    options.maxUploadSize = 64 * 1024;
    startServer(options);
    QString bigPhoto;
    for (const QString &photo : TestSupport::opencvPhotos()) {
        if (QFileInfo(photo).size() > options.maxUploadSize)
            bigPhoto = photo;
    }
    QVERIFY(!bigPhoto.isEmpty());

    QProcess curl;
    curl.setProgram(QStringLiteral("/usr/bin/curl"));
    curl.setArguments({ QStringLiteral("--silent"), QStringLiteral("--show-error"),
                        QStringLiteral("--output"), QStringLiteral("-"),
                        QStringLiteral("--write-out"), QStringLiteral("\n%{http_code}"),
                        QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + QString::fromLatin1(makeToken({})),
                        QStringLiteral("-F"), QStringLiteral("files=@") + bigPhoto,
                        QStringLiteral("http://127.0.0.1:%1/api/v1/dataset/%2/add_media").arg(m_server->port()).arg(m_datasetId) });
    QSignalSpy finished(&curl, &QProcess::finished);
    QVERIFY(finished.isValid());
    curl.start();
    // The event loop must run while curl waits: the server hands its work to this thread.
    QVERIFY(finished.wait(requestTimeoutMs));
    QCOMPARE(curl.exitCode(), 0);
    const QList<QByteArray> lines = curl.readAllStandardOutput().split('\n');
    QCOMPARE(lines.constLast(), QByteArray("413"));
    QVERIFY(uploadFolderEntries().isEmpty());
}

void ApiServerTest::unauthenticatedRequestReturns401_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("detailStart");

    TokenSpec wrongSecret;
    wrongSecret.secret = QByteArrayLiteral("another-secret");
    TokenSpec expired;
    expired.expiresIn = -3600;
    TokenSpec unknownKey;
    unknownKey.key = QStringLiteral("someone-else");
    TokenSpec noIssuedAt;
    noIssuedAt.withIssuedAt = false;

    QTest::newRow("missing token") << QByteArray() << QStringLiteral("Missing bearer token");
    QTest::newRow("wrong signature") << makeToken(wrongSecret) << QStringLiteral("Invalid signature");
    QTest::newRow("expired") << makeToken(expired) << QStringLiteral("Expired token");
    QTest::newRow("unknown key id") << makeToken(unknownKey) << QStringLiteral("Unknown key id");
    QTest::newRow("no iat") << makeToken(noIssuedAt) << QStringLiteral("Missing 'iat' claim");
    QTest::newRow("garbage") << QByteArrayLiteral("not-a-jwt") << QStringLiteral("Malformed bearer token");
}

void ApiServerTest::unauthenticatedRequestReturns401()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, detailStart);

    const HttpResult get = send("GET", QStringLiteral("/api/v1/dataset/") + m_datasetId, nullptr, token);
    QCOMPARE(get.status, 401);
    QVERIFY2(get.detail().startsWith(detailStart), get.body.constData());

    // An upload without a valid token stores nothing.
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 1, 10);
    const FormSpec form{ { { QStringLiteral("files"), photos.value(0) } }, {} };
    const HttpResult post = send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form, token);
    QCOMPARE(post.status, 401);
    QVERIFY(uploadFolderEntries().isEmpty());
    QCOMPARE(statusOf(m_datasetId), QStringLiteral("READY"));
}

void ApiServerTest::validTokenIsAccepted()
{
    const HttpResult result = send("GET", QStringLiteral("/api/v1/datasets"), nullptr, makeToken({}));
    QCOMPARE(result.status, 200);
    QCOMPARE(result.array().size(), 1);

    // Within the tolerated clock skew an expiry just passed is still accepted.
    TokenSpec justExpired;
    justExpired.expiresIn = -10;
    QCOMPARE(send("GET", QStringLiteral("/api/v1/datasets"), nullptr, makeToken(justExpired)).status, 200);
}

void ApiServerTest::noAuthServesWithoutToken()
{
    ApiServerOptions options = defaultOptions();
    options.authenticationEnabled = false;
    options.apiKey.clear();
    options.apiSecret.clear();
    startServer(options);

    const HttpResult result = send("GET", QStringLiteral("/api/v1/datasets"), nullptr, QByteArray());
    QCOMPARE(result.status, 200);
    QCOMPARE(result.array().size(), 1);
}

void ApiServerTest::processPathOutsideRootRejected_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("outside") << QStringLiteral("/usr/share/doc/opencv-doc/examples/data");
    QTest::newRow("dot-dot escape") << QStringLiteral("ROOT/../source-0");
    QTest::newRow("symlink escape") << QStringLiteral("ROOT/link");
    QTest::newRow("relative") << QStringLiteral("allowed/photos");
}

void ApiServerTest::processPathOutsideRootRejected()
{
    QFETCH(QString, path);
    const QString root = m_dir->filePath(QStringLiteral("allowed"));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/photos")));
    QVERIFY(QFile::link(m_dir->filePath(QStringLiteral("source-0")), root + QStringLiteral("/link")));
    path.replace(QStringLiteral("ROOT"), root);

    ApiServerOptions options = defaultOptions();
    options.allowedRoots = { root };
    startServer(options);

    QUrlQuery query;
    query.addQueryItem(QStringLiteral("path"), path);
    query.addQueryItem(QStringLiteral("name"), QStringLiteral("escaped"));
    const HttpResult create = send("GET", QStringLiteral("/api/v1/process?") + query.toString(QUrl::FullyEncoded));
    QCOMPARE(create.status, 403);
    QVERIFY2(create.detail().contains(path), create.body.constData());
    QVERIFY2(create.detail().contains(root), create.body.constData());

    QUrlQuery addQuery;
    addQuery.addQueryItem(QStringLiteral("dataset_id"), m_datasetId);
    addQuery.addQueryItem(QStringLiteral("path"), path);
    const HttpResult add = send("POST", QStringLiteral("/api/v1/process/add_media?") + addQuery.toString(QUrl::FullyEncoded));
    QCOMPARE(add.status, 403);
    QCOMPARE(statusOf(m_datasetId), QStringLiteral("READY"));

    const HttpResult list = send("GET", QStringLiteral("/api/v1/datasets"));
    QCOMPARE(list.array().size(), 1);
}

void ApiServerTest::processWithoutAllowRootRejected()
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("path"), m_dir->filePath(QStringLiteral("source-0")));
    query.addQueryItem(QStringLiteral("name"), QStringLiteral("again"));
    const HttpResult result = send("GET", QStringLiteral("/api/v1/process?") + query.toString(QUrl::FullyEncoded));
    QCOMPARE(result.status, 403);
    QVERIFY2(result.detail().contains(QLatin1String("--allow-root")), result.body.constData());
}

void ApiServerTest::processInsideRootCreatesDataset()
{
    const QString root = m_dir->filePath(QStringLiteral("allowed"));
    QCOMPARE(TestSupport::copyPhotos(root + QStringLiteral("/folder"), 3, 30).size(), 3);
    ApiServerOptions options = defaultOptions();
    options.allowedRoots = { root };
    startServer(options);

    QUrlQuery query;
    query.addQueryItem(QStringLiteral("path"), root + QStringLiteral("/folder"));
    query.addQueryItem(QStringLiteral("name"), QStringLiteral("from-folder"));
    const HttpResult result = send("POST", QStringLiteral("/api/v1/process?") + query.toString(QUrl::FullyEncoded));
    QCOMPARE(result.status, 200);
    const QJsonObject body = result.object();
    QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("success"));
    QCOMPARE(body.value(QStringLiteral("message")).toString(), QStringLiteral("Dataset processing started"));
    QCOMPARE(body.value(QStringLiteral("name")).toString(), QStringLiteral("from-folder"));
    const QString datasetId = body.value(QStringLiteral("dataset_id")).toString();
    QVERIFY(!datasetId.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(datasetId), QStringLiteral("READY"), settleTimeoutMs);
    QCOMPARE(imageCountOf(datasetId), 3);

    // A missing folder inside the root is an invalid path, in the form's own envelope.
    QUrlQuery missing;
    missing.addQueryItem(QStringLiteral("path"), root + QStringLiteral("/missing"));
    missing.addQueryItem(QStringLiteral("name"), QStringLiteral("missing"));
    const HttpResult invalid = send("GET", QStringLiteral("/api/v1/process?") + missing.toString(QUrl::FullyEncoded));
    QCOMPARE(invalid.status, 400);
    QCOMPARE(invalid.object().value(QStringLiteral("status")).toString(), QStringLiteral("error"));
    QCOMPARE(invalid.object().value(QStringLiteral("message")).toString(), QStringLiteral("Invalid path specified"));
}

void ApiServerTest::processAddMediaInsideRootAccepted()
{
    const QString root = m_dir->filePath(QStringLiteral("allowed"));
    QCOMPARE(TestSupport::copyPhotos(root + QStringLiteral("/more"), 2, 33).size(), 2);
    ApiServerOptions options = defaultOptions();
    options.allowedRoots = { root };
    startServer(options);

    QUrlQuery query;
    query.addQueryItem(QStringLiteral("dataset_id"), m_datasetId);
    query.addQueryItem(QStringLiteral("path"), root + QStringLiteral("/more"));
    const HttpResult result = send("GET", QStringLiteral("/api/v1/process/add_media?") + query.toString(QUrl::FullyEncoded));
    QCOMPARE(result.status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(m_datasetId), QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);
    QCOMPARE(imageCountOf(m_datasetId), 6);
}

void ApiServerTest::tasksFilterAndPage()
{
    const QString otherId = createReadyDataset(3, 40);
    QVERIFY(!otherId.isEmpty());
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 1, 10);
    const FormSpec form{ { { QStringLiteral("files"), photos.value(0) } }, {} };
    QCOMPARE(send("POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId), &form).status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(m_datasetId), QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);

    const HttpResult all = send("GET", QStringLiteral("/api/v1/tasks?page=1&page_size=5"));
    QCOMPARE(all.status, 200);
    QCOMPARE(all.object().value(QStringLiteral("total")).toInt(), 3); // two creations, one addition
    QCOMPARE(all.object().value(QStringLiteral("page_size")).toInt(), 5);

    const HttpResult byDataset = send("GET", QStringLiteral("/api/v1/tasks?dataset_id=%1").arg(otherId));
    QCOMPARE(byDataset.object().value(QStringLiteral("total")).toInt(), 1);
    const QJsonObject creation = byDataset.object().value(QStringLiteral("tasks")).toArray().at(0).toObject();
    QCOMPARE(creation.value(QStringLiteral("task_type")).toString(), QStringLiteral("DATASET_CREATION"));
    QCOMPARE(creation.value(QStringLiteral("dataset_id")).toString(), otherId);

    const HttpResult additions = send("GET", QStringLiteral("/api/v1/tasks?task_type=MEDIA_ADDITION&task_status=COMPLETED"));
    QCOMPARE(additions.object().value(QStringLiteral("total")).toInt(), 1);
    const QJsonObject addition = additions.object().value(QStringLiteral("tasks")).toArray().at(0).toObject();
    QCOMPARE(addition.value(QStringLiteral("dataset_id")).toString(), m_datasetId);

    const HttpResult byName = send("GET", QStringLiteral("/api/v1/tasks?dataset_name=photos-40&sort_by=start_time&sort_order=asc"));
    QCOMPARE(byName.object().value(QStringLiteral("total")).toInt(), 1);

    // The three tasks fit on the first page of five, so the second page is empty.
    const HttpResult secondPage = send("GET", QStringLiteral("/api/v1/tasks?page=2&page_size=5"));
    QCOMPARE(secondPage.status, 200);
    QCOMPARE(secondPage.object().value(QStringLiteral("page")).toInt(), 2);
    QCOMPARE(secondPage.object().value(QStringLiteral("total")).toInt(), 3);
    QCOMPARE(secondPage.object().value(QStringLiteral("tasks")).toArray().size(), 0);
}

void ApiServerTest::tasksPageSizeOutOfRange_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("type");
    QTest::newRow("page_size below 5") << QStringLiteral("page_size=4") << QStringLiteral("page_size")
                                       << QStringLiteral("greater_than_equal");
    QTest::newRow("page_size above 50") << QStringLiteral("page_size=51") << QStringLiteral("page_size")
                                        << QStringLiteral("less_than_equal");
    QTest::newRow("page_size not a number") << QStringLiteral("page_size=ten") << QStringLiteral("page_size")
                                            << QStringLiteral("int_parsing");
    QTest::newRow("page zero") << QStringLiteral("page=0") << QStringLiteral("page")
                               << QStringLiteral("greater_than_equal");
    QTest::newRow("unknown task type") << QStringLiteral("task_type=UPLOAD") << QStringLiteral("task_type")
                                       << QStringLiteral("enum");
    QTest::newRow("unknown sort order") << QStringLiteral("sort_order=up") << QStringLiteral("sort_order")
                                        << QStringLiteral("enum");
}

void ApiServerTest::tasksPageSizeOutOfRange()
{
    QFETCH(QString, query);
    QFETCH(QString, field);
    QFETCH(QString, type);

    const HttpResult result = send("GET", QStringLiteral("/api/v1/tasks?") + query);
    QCOMPARE(result.status, 422);
    const QJsonArray detail = result.object().value(QStringLiteral("detail")).toArray();
    QCOMPARE(detail.size(), 1);
    const QJsonObject entry = detail.at(0).toObject();
    QCOMPARE(entry.value(QStringLiteral("loc")).toArray(), (QJsonArray{ QStringLiteral("query"), field }));
    QCOMPARE(entry.value(QStringLiteral("type")).toString(), type);
}

QJsonArray ApiServerTest::listAllMedia(const QString &datasetId, const QString &sort)
{
    const HttpResult result =
        send("GET", QStringLiteral("/api/v1/dataset/%1/media?limit=1000&sort=%2").arg(datasetId, sort));
    if (result.status != 200)
        qWarning("Listing media failed with %d: %s", result.status, result.body.constData());
    return result.object().value(QStringLiteral("items")).toArray();
}

void ApiServerTest::mediaListingPagesItems()
{
    const QString base = QStringLiteral("/api/v1/dataset/%1/media").arg(m_datasetId);
    const HttpResult first = send("GET", base + QStringLiteral("?offset=0&limit=3"));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.object().value(QStringLiteral("total")).toInt(), 4);
    QCOMPARE(first.object().value(QStringLiteral("offset")).toInt(), 0);
    QCOMPARE(first.object().value(QStringLiteral("items")).toArray().size(), 3);

    const HttpResult second = send("GET", base + QStringLiteral("?offset=3&limit=3"));
    QCOMPARE(second.status, 200);
    QCOMPARE(second.object().value(QStringLiteral("total")).toInt(), 4);
    QCOMPARE(second.object().value(QStringLiteral("offset")).toInt(), 3);
    QCOMPARE(second.object().value(QStringLiteral("items")).toArray().size(), 1);

    QJsonArray items = first.object().value(QStringLiteral("items")).toArray();
    items.append(second.object().value(QStringLiteral("items")).toArray().at(0));
    QSet<QString> ids;
    for (const QJsonValue &value : std::as_const(items)) {
        const QJsonObject item = value.toObject();
        const QString id = item.value(QStringLiteral("media_id")).toString();
        ids.insert(id);
        QCOMPARE(item.value(QStringLiteral("dataset_id")).toString(), m_datasetId);
        QCOMPARE(item.value(QStringLiteral("type")).toString(), QStringLiteral("IMAGE"));
        QCOMPARE(item.value(QStringLiteral("media_uri")).toString(),
                 QStringLiteral("/api/v1/dataset/%1/media/%2/file").arg(m_datasetId, id));
        QCOMPARE(item.value(QStringLiteral("media_thumb_uri")).toString(),
                 QStringLiteral("/api/v1/dataset/%1/media/%2/thumbnail").arg(m_datasetId, id));
        QVERIFY(item.value(QStringLiteral("width")).toInt() > 0);
        QCOMPARE(item.value(QStringLiteral("sha256")).toString().size(), 64);
    }
    QCOMPARE(ids.size(), 4);

    // No field names a path of the server's machine.
    const QByteArray body = first.body + second.body;
    QVERIFY2(!body.contains(QDir(m_dir->path()).canonicalPath().toUtf8()), body.constData());
    QVERIFY2(!body.contains(m_dir->path().toUtf8()), body.constData());
}

void ApiServerTest::mediaListingSorts_data()
{
    QTest::addColumn<QString>("sort");
    QTest::newRow("added") << QStringLiteral("added");
    QTest::newRow("cluster") << QStringLiteral("cluster");
    QTest::newRow("duplicates") << QStringLiteral("duplicates");
    QTest::newRow("outliers") << QStringLiteral("outliers");
}

void ApiServerTest::mediaListingSorts()
{
    QFETCH(QString, sort);
    const QJsonArray items = listAllMedia(m_datasetId, sort);
    QCOMPARE(items.size(), 4);

    // Each sort key as the catalog orders it; -1 (none) sorts last for groups.
    const auto key = [&sort](const QJsonObject &item) -> double {
        if (sort == QLatin1String("added"))
            return item.value(QStringLiteral("media_id")).toString().toDouble();
        if (sort == QLatin1String("outliers"))
            return -item.value(QStringLiteral("outlier_score")).toDouble();
        const qint64 group = item.value(sort == QLatin1String("cluster") ? QStringLiteral("cluster_id")
                                                                          : QStringLiteral("duplicate_group"))
                                 .toInteger();
        return group < 0 ? std::numeric_limits<double>::max() : double(group);
    };
    for (qsizetype i = 1; i < items.size(); ++i)
        QVERIFY2(key(items.at(i - 1).toObject()) <= key(items.at(i).toObject()), qPrintable(sort));
}

void ApiServerTest::mediaListingRejectsBadParameters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("field");

    QTest::newRow("limit 0") << QStringLiteral("limit=0") << QStringLiteral("limit");
    QTest::newRow("limit 1001") << QStringLiteral("limit=1001") << QStringLiteral("limit");
    QTest::newRow("limit not a number") << QStringLiteral("limit=ten") << QStringLiteral("limit");
    QTest::newRow("negative offset") << QStringLiteral("offset=-1") << QStringLiteral("offset");
    QTest::newRow("unknown sort") << QStringLiteral("sort=size") << QStringLiteral("sort");
}

void ApiServerTest::mediaListingRejectsBadParameters()
{
    QFETCH(QString, query);
    QFETCH(QString, field);

    const HttpResult result = send("GET", QStringLiteral("/api/v1/dataset/%1/media?%2").arg(m_datasetId, query));
    QCOMPARE(result.status, 422);
    const QJsonArray detail = result.object().value(QStringLiteral("detail")).toArray();
    QCOMPARE(detail.size(), 1);
    const QJsonArray location = detail.at(0).toObject().value(QStringLiteral("loc")).toArray();
    QCOMPARE(location, (QJsonArray{ QStringLiteral("query"), field }));
    QVERIFY(!detail.at(0).toObject().value(QStringLiteral("msg")).toString().isEmpty());
}

void ApiServerTest::mediaEndpointsUnknownDatasetReturn404_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("listing") << QStringLiteral("/api/v1/dataset/no-such-dataset/media");
    QTest::newRow("thumbnail") << QStringLiteral("/api/v1/dataset/no-such-dataset/media/1/thumbnail");
    QTest::newRow("file") << QStringLiteral("/api/v1/dataset/no-such-dataset/media/1/file");
    QTest::newRow("explore") << QStringLiteral("/api/v1/explore/no-such-dataset");
    QTest::newRow("explore objects") << QStringLiteral("/api/v1/explore/no-such-dataset?entity_type=OBJECTS");
}

void ApiServerTest::mediaEndpointsUnknownDatasetReturn404()
{
    QFETCH(QString, path);
    const HttpResult result = send("GET", path);
    QCOMPARE(result.status, 404);
    QCOMPARE(result.detail(), QStringLiteral("Dataset not found"));
}

void ApiServerTest::mediaUnknownItemReturns404_data()
{
    QTest::addColumn<QString>("mediaId");
    QTest::addColumn<QString>("resource");
    QTest::newRow("thumbnail of unused id") << QStringLiteral("999999") << QStringLiteral("thumbnail");
    QTest::newRow("file of unused id") << QStringLiteral("999999") << QStringLiteral("file");
    QTest::newRow("file of non-numeric id") << QStringLiteral("abc") << QStringLiteral("file");
    QTest::newRow("thumbnail of padded id") << QStringLiteral("01") << QStringLiteral("thumbnail");
}

void ApiServerTest::mediaUnknownItemReturns404()
{
    QFETCH(QString, mediaId);
    QFETCH(QString, resource);
    const HttpResult result =
        send("GET", QStringLiteral("/api/v1/dataset/%1/media/%2/%3").arg(m_datasetId, mediaId, resource));
    QCOMPARE(result.status, 404);
    QCOMPARE(result.detail(), ServiceError::mediaNotFound(m_datasetId, mediaId).detail());
    QVERIFY(result.detail() != QLatin1String("Dataset not found"));
}

void ApiServerTest::mediaThumbnailDecodesAtStoredSize()
{
    const QJsonArray items = listAllMedia(m_datasetId);
    QCOMPARE(items.size(), 4);
    for (const QJsonValue &value : items) {
        const QJsonObject item = value.toObject();
        const HttpResult result = send("GET", item.value(QStringLiteral("media_thumb_uri")).toString());
        QCOMPARE(result.status, 200);
        QCOMPARE(result.contentType, QByteArrayLiteral("image/jpeg"));
        const QImage image = QImage::fromData(result.body);
        QVERIFY2(!image.isNull(), qPrintable(item.value(QStringLiteral("file_name")).toString()));

        // The pipeline stores thumbnails at most 256 pixels on the longest side.
        const QSize original(item.value(QStringLiteral("width")).toInt(), item.value(QStringLiteral("height")).toInt());
        const QSize expected = std::max(original.width(), original.height()) > 256
            ? original.scaled(256, 256, Qt::KeepAspectRatio)
            : original;
        QVERIFY2(std::abs(image.width() - expected.width()) <= 1
                     && std::abs(image.height() - expected.height()) <= 1,
                 qPrintable(QStringLiteral("%1x%2, expected %3x%4")
                                .arg(image.width())
                                .arg(image.height())
                                .arg(expected.width())
                                .arg(expected.height())));
    }
}

void ApiServerTest::mediaFileMatchesSha256()
{
    const QJsonArray items = listAllMedia(m_datasetId);
    QCOMPARE(items.size(), 4);
    for (const QJsonValue &value : items) {
        const QJsonObject item = value.toObject();
        const HttpResult result = send("GET", item.value(QStringLiteral("media_uri")).toString());
        QCOMPARE(result.status, 200);
        QCOMPARE(result.body.size(), item.value(QStringLiteral("size")).toInteger());
        QCOMPARE(QString::fromLatin1(QCryptographicHash::hash(result.body, QCryptographicHash::Sha256).toHex()),
                 item.value(QStringLiteral("sha256")).toString());
        const QString sniffed = QMimeDatabase().mimeTypeForData(result.body).name();
        QVERIFY2(sniffed.startsWith(QLatin1String("image/")), qPrintable(sniffed));
        QCOMPARE(QString::fromLatin1(result.contentType), sniffed);
    }
}

void ApiServerTest::mediaEndpointsRequireToken_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("listing") << QStringLiteral("/api/v1/dataset/%1/media");
    QTest::newRow("thumbnail") << QStringLiteral("/api/v1/dataset/%1/media/1/thumbnail");
    QTest::newRow("file") << QStringLiteral("/api/v1/dataset/%1/media/1/file");
    QTest::newRow("explore") << QStringLiteral("/api/v1/explore/%1");
}

void ApiServerTest::mediaEndpointsRequireToken()
{
    QFETCH(QString, path);
    const QString resolved = path.arg(m_datasetId);
    QCOMPARE(send("GET", resolved).status, 200);

    const HttpResult result = send("GET", resolved, nullptr, QByteArray());
    QCOMPARE(result.status, 401);
    QVERIFY2(result.detail().startsWith(QLatin1String("Missing bearer token")), result.body.constData());
    QVERIFY(!result.contentType.startsWith("image/"));
}

void ApiServerTest::exploreListsEveryItemAsPreview()
{
    const QJsonArray items = listAllMedia(m_datasetId);
    QCOMPARE(items.size(), 4);
    QHash<QString, QJsonObject> itemsById;
    for (const QJsonValue &value : items)
        itemsById.insert(value.toObject().value(QStringLiteral("media_id")).toString(), value.toObject());

    const HttpResult result = send("GET", QStringLiteral("/api/v1/explore/%1?entity_type=IMAGES&threshold=0&page_number=0")
                                              .arg(m_datasetId));
    QCOMPARE(result.status, 200);
    const QJsonArray clusters = result.object().value(QStringLiteral("clusters")).toArray();
    QVERIFY(!clusters.isEmpty());
    QSet<QString> previewIds;
    int counted = 0;
    for (const QJsonValue &clusterValue : clusters) {
        const QJsonObject cluster = clusterValue.toObject();
        const QJsonArray previews = cluster.value(QStringLiteral("previews")).toArray();
        QCOMPARE(cluster.value(QStringLiteral("n_images")).toInt(), previews.size());
        counted += cluster.value(QStringLiteral("n_images")).toInt();
        for (const QJsonValue &previewValue : previews) {
            const QJsonObject preview = previewValue.toObject();
            const QString id = preview.value(QStringLiteral("media_id")).toString();
            QVERIFY2(itemsById.contains(id), qPrintable(id));
            const QJsonObject item = itemsById.value(id);
            previewIds.insert(id);
            QCOMPARE(preview.value(QStringLiteral("type")).toString(), QStringLiteral("IMAGE"));
            QCOMPARE(cluster.value(QStringLiteral("cluster_id")).toInteger(),
                     item.value(QStringLiteral("cluster_id")).toInteger());
            QCOMPARE(preview.value(QStringLiteral("media_uri")), item.value(QStringLiteral("media_uri")));
            QCOMPARE(preview.value(QStringLiteral("media_thumb_uri")), item.value(QStringLiteral("media_thumb_uri")));
            QCOMPARE(preview.value(QStringLiteral("file_name")), item.value(QStringLiteral("file_name")));
            QCOMPARE(preview.value(QStringLiteral("width")), item.value(QStringLiteral("width")));
            QCOMPARE(preview.value(QStringLiteral("height")), item.value(QStringLiteral("height")));
        }
    }
    QCOMPARE(counted, 4);
    QCOMPARE(previewIds.size(), 4);

    // Four items make fewer than 100 clusters, so the second page is empty.
    const HttpResult second = send("GET", QStringLiteral("/api/v1/explore/%1?page_number=1").arg(m_datasetId));
    QCOMPARE(second.status, 200);
    QCOMPARE(second.object().value(QStringLiteral("clusters")).toArray().size(), 0);

    const HttpResult videos = send("GET", QStringLiteral("/api/v1/explore/%1?entity_type=VIDEOS").arg(m_datasetId));
    QCOMPARE(videos.status, 200);
    QCOMPARE(videos.object().value(QStringLiteral("clusters")).toArray().size(), 0);
}

void ApiServerTest::exploreRejectsBadParameters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("field");
    QTest::newRow("negative page") << QStringLiteral("page_number=-1") << QStringLiteral("page_number");
    QTest::newRow("threshold 5") << QStringLiteral("threshold=5") << QStringLiteral("threshold");
    QTest::newRow("unknown entity type") << QStringLiteral("entity_type=FACES") << QStringLiteral("entity_type");
}

void ApiServerTest::exploreRejectsBadParameters()
{
    QFETCH(QString, query);
    QFETCH(QString, field);
    const HttpResult result = send("GET", QStringLiteral("/api/v1/explore/%1?%2").arg(m_datasetId, query));
    QCOMPARE(result.status, 422);
    const QJsonArray detail = result.object().value(QStringLiteral("detail")).toArray();
    QCOMPARE(detail.size(), 1);
    QCOMPARE(detail.at(0).toObject().value(QStringLiteral("loc")).toArray(),
             (QJsonArray{ QStringLiteral("query"), field }));
}

void ApiServerTest::serveCommandStopsOnSigterm()
{
    const QString dataDir = m_dir->filePath(QStringLiteral("serve-data"));
    // The signal arrives once the command runs its event loop; it must end the loop cleanly.
    QTimer::singleShot(1000, this, []() { std::raise(SIGTERM); });
    QCOMPARE(runServeCommand({ QStringLiteral("accrete-cli serve"), QStringLiteral("--no-auth"),
                               QStringLiteral("--data-dir"), dataDir, QStringLiteral("--listen"),
                               QStringLiteral("127.0.0.1:0") }),
             0);
    QVERIFY(QFileInfo(dataDir + QStringLiteral("/.server-uploads")).isDir());
}

void ApiServerTest::serveCommandRejectsMissingKey()
{
    qunsetenv("ACCRETE_API_KEY");
    qunsetenv("ACCRETE_API_SECRET");
    const QString dataDir = m_dir->filePath(QStringLiteral("serve-data"));

    // Without a key and without --no-auth the command exits before it serves anything.
    QCOMPARE(runServeCommand({ QStringLiteral("accrete-cli serve"), QStringLiteral("--data-dir"), dataDir,
                               QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") }),
             1);
    // A key without its secret is rejected too.
    QCOMPARE(runServeCommand({ QStringLiteral("accrete-cli serve"), QStringLiteral("--data-dir"), dataDir,
                               QStringLiteral("--api-key"), apiKey }),
             1);
    QVERIFY(!QFileInfo::exists(dataDir));
}

void ApiServerTest::serveCommandRejectsInvalidOptions_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("listen without port") << QStringList{ QStringLiteral("--listen"), QStringLiteral("127.0.0.1") };
    QTest::newRow("listen with a host name") << QStringList{ QStringLiteral("--listen"), QStringLiteral("example:80") };
    QTest::newRow("port out of range") << QStringList{ QStringLiteral("--listen"), QStringLiteral("127.0.0.1:70000") };
    QTest::newRow("negative upload size") << QStringList{ QStringLiteral("--max-upload-size"), QStringLiteral("-5") };
    QTest::newRow("missing allow-root") << QStringList{ QStringLiteral("--allow-root"), QStringLiteral("/no/such/folder") };
    QTest::newRow("unknown option") << QStringList{ QStringLiteral("--bogus") };
}

void ApiServerTest::serveCommandRejectsInvalidOptions()
{
    QFETCH(QStringList, options);
    QCOMPARE(runServeCommand(QStringList{ QStringLiteral("accrete-cli serve"), QStringLiteral("--no-auth") } + options), 2);
}

QTEST_MAIN(ApiServerTest)
#include "tst_apiserver.moc"
