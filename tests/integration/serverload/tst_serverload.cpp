#include <algorithm>
#include <functional>
#include <memory>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHttpMultiPart>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include "apitestclient.h"
#include "core/logging.h"
#include "core/metatypes.h"
#include "pipeline/embeddedservice.h"
#include "server/apiserver.h"
#include "testsupport.h"

using namespace Accrete;
using namespace Accrete::ApiTestClient;

namespace {

const QString apiKey = QStringLiteral("load-key");
const QByteArray apiSecret = QByteArrayLiteral("load-secret-9f8e7d6c5b4a39281706");

// Generous: the first index of a dataset decodes and embeds every photo on a shared machine.
constexpr int settleTimeoutMs = 300'000;
constexpr int requestTimeoutMs = 180'000;

// Requests sent at once in the contention tests, and the accepted path batch: 40 opencv-doc
// photos, 320 variants of them and the package's videos, which took 4-5 s on a loaded 2-core
// machine while the burst was answered within about 1.1 s.
constexpr int contenderCount = 50;
constexpr int pathBatchSize = 40;
constexpr int variantCount = 320;
constexpr int batchImageCount = pathBatchSize + variantCount;
const QString blockedDetail =
    QStringLiteral("Operation 'add_media' is blocked while MEDIA_ADDITION task is running");

// One reply of a burst and when it finished (UTC, this machine's clock, as the server's).
struct TimedResult
{
    HttpResult result;
    QDateTime finishedAt;
};

// An `accrete-cli serve` child process on a free loopback port.
struct ServeProcess
{
    std::unique_ptr<QProcess> process;
    quint16 port = 0;
    QString dataDir;
    QString stdoutText;

    QString uploadDir() const { return QDir(dataDir).filePath(QStringLiteral(".server-uploads")); }
};

QStringList folderEntries(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
}

QStringList videoFiles()
{
    const QDir data(TestSupport::opencvDataDir());
    QStringList videos;
    for (const QString &name : data.entryList({ QStringLiteral("*.avi") }, QDir::Files, QDir::Name))
        videos.append(data.filePath(name));
    return videos;
}

} // namespace

class ServerLoadTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void addMediaPathFormContention();
    void addMediaUploadsRejectedDuringBatch();
    void addMediaUploadBurstNeverOverlaps();
    void unauthorizedBodyHidesCredentials_data();
    void unauthorizedBodyHidesCredentials();
    void chunkedUploadOverLimitLeavesNoFile();
    void serveRejectsBadTokens_data();
    void serveRejectsBadTokens();
    void servePathOutsideRootRejected_data();
    void servePathOutsideRootRejected();
    void serveUploadOverLimitLeavesNoFile();

private:
    QByteArray validToken() const { return makeToken({ apiKey, apiSecret, 600 }); }
    QNetworkRequest makeRequest(quint16 port, const QString &pathAndQuery, const QByteArray &token) const;
    HttpResult send(quint16 port, const QByteArray &verb, const QString &pathAndQuery,
                    QHttpMultiPart *multiPart = nullptr, const QByteArray &token = {});
    HttpResult send(const QByteArray &verb, const QString &pathAndQuery, QHttpMultiPart *multiPart = nullptr);
    QList<TimedResult> sendAllAtOnce(
        int count, const std::function<QNetworkReply *(QNetworkAccessManager &, int)> &sendOne);
    QJsonObject datasetJson(quint16 port, const QString &datasetId);
    TaskPage mediaAdditions(const QString &datasetId);
    QString createReadyDataset(int photoCount, int offset);
    void prepareLongBatch(const QString &folder);
    QStringList uploadFolderEntries() const { return folderEntries(m_server->options().uploadDir); }
    void startServe(ServeProcess &serve, const QStringList &options);
    void stopServe(ServeProcess &serve);
    QString createDatasetThroughServe(const ServeProcess &serve, const QString &folder);
    QStringList runCurl(const QStringList &arguments);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedService> m_service;
    std::unique_ptr<ApiServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    QString m_root; // canonical --allow-root folder
    QString m_datasetId;
};

void ServerLoadTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
    QVERIFY2(TestSupport::opencvPhotos().size() >= 4 + contenderCount,
             "Install the opencv-doc package: these tests upload its example photos.");
}

void ServerLoadTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("allowed"))));
    m_root = QFileInfo(m_dir->filePath(QStringLiteral("allowed"))).canonicalFilePath();
    QVERIFY(!m_root.isEmpty());

    m_service = std::make_unique<EmbeddedService>(m_dir->filePath(QStringLiteral("data")));
    m_network = std::make_unique<QNetworkAccessManager>();

    ApiServerOptions options;
    options.port = 0;
    options.uploadDir = m_dir->filePath(QStringLiteral("data/.server-uploads"));
    options.apiKey = apiKey;
    options.apiSecret = apiSecret;
    options.allowedRoots = { m_root };
    options.maxUploadSize = 1024 * 1024;
    m_server = std::make_unique<ApiServer>(m_service.get(), options);
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));

    m_datasetId = createReadyDataset(4, 0);
    QVERIFY(!m_datasetId.isEmpty());
}

void ServerLoadTest::cleanup()
{
    if (m_server)
        m_server->close();
    m_server.reset();
    m_network.reset();
    m_service.reset();
    m_dir.reset();
}

QNetworkRequest ServerLoadTest::makeRequest(quint16 port, const QString &pathAndQuery,
                                            const QByteArray &token) const
{
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(pathAndQuery)));
    request.setTransferTimeout(requestTimeoutMs);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    return request;
}

HttpResult ServerLoadTest::send(quint16 port, const QByteArray &verb, const QString &pathAndQuery,
                                QHttpMultiPart *multiPart, const QByteArray &token)
{
    const QNetworkRequest request = makeRequest(port, pathAndQuery, token);
    QNetworkReply *reply = multiPart ? m_network->sendCustomRequest(request, verb, multiPart)
                                     : m_network->sendCustomRequest(request, verb);
    if (multiPart)
        multiPart->setParent(reply);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    // The event loop runs while waiting: the in-process server hands its work to this thread.
    if (!finished.isValid() || (!reply->isFinished() && !finished.wait(requestTimeoutMs))) {
        reply->deleteLater();
        return HttpResult{};
    }
    const HttpResult result = resultOf(reply);
    reply->deleteLater();
    return result;
}

HttpResult ServerLoadTest::send(const QByteArray &verb, const QString &pathAndQuery, QHttpMultiPart *multiPart)
{
    return send(m_server->port(), verb, pathAndQuery, multiPart, validToken());
}

QList<TimedResult> ServerLoadTest::sendAllAtOnce(
    int count, const std::function<QNetworkReply *(QNetworkAccessManager &, int)> &sendOne)
{
    // One manager per request: a manager opens at most six connections to a host, so a
    // shared one would queue most of the requests on the client side.
    // NOTE: Debian's libcpp-httplib 0.11.4 listens with a backlog of 5, so a burst of 50
    // connections overflows the accept queue and Linux retries some handshakes after 1 s
    // (3 s on a second overflow). The batches above are sized to outlast that.
    std::vector<std::unique_ptr<QNetworkAccessManager>> managers;
    QList<QNetworkReply *> replies;
    QList<TimedResult> results(count);
    int finishedCount = 0;
    for (int i = 0; i < count; ++i)
        managers.push_back(std::make_unique<QNetworkAccessManager>());
    for (int i = 0; i < count; ++i) {
        QNetworkReply *reply = sendOne(*managers[size_t(i)], i);
        replies.append(reply);
        connect(reply, &QNetworkReply::finished, this, [reply, i, &results, &finishedCount]() {
            results[i].result = resultOf(reply);
            results[i].finishedAt = QDateTime::currentDateTimeUtc();
            ++finishedCount;
        });
    }
    [&]() { QTRY_COMPARE_WITH_TIMEOUT(finishedCount, count, requestTimeoutMs); }();
    for (QNetworkReply *reply : std::as_const(replies)) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        delete reply;
    }
    return results;
}

QJsonObject ServerLoadTest::datasetJson(quint16 port, const QString &datasetId)
{
    const HttpResult result = send(port, "GET", QStringLiteral("/api/v1/dataset/") + datasetId, nullptr, validToken());
    return QJsonDocument::fromJson(result.body).object();
}

TaskPage ServerLoadTest::mediaAdditions(const QString &datasetId)
{
    const HttpResult result =
        send("GET", QStringLiteral("/api/v1/tasks?dataset_id=%1&task_type=MEDIA_ADDITION&page_size=50").arg(datasetId));
    return TaskPage::fromJson(QJsonDocument::fromJson(result.body).object());
}

QString ServerLoadTest::createReadyDataset(int photoCount, int offset)
{
    const QString folder = m_root + QStringLiteral("/source-%1").arg(offset);
    if (TestSupport::copyPhotos(folder, photoCount, offset).size() != photoCount)
        return QString();
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("path"), folder);
    query.addQueryItem(QStringLiteral("name"), QStringLiteral("photos-%1").arg(offset));
    const HttpResult created = send("POST", QStringLiteral("/api/v1/process?") + query.toString(QUrl::FullyEncoded));
    const QString datasetId =
        QJsonDocument::fromJson(created.body).object().value(QStringLiteral("dataset_id")).toString();
    if (created.status != 200 || datasetId.isEmpty()) {
        qWarning("Creating a dataset failed with %d: %s", created.status, created.body.constData());
        return QString();
    }
    const auto status = [&]() {
        return datasetJson(m_server->port(), datasetId).value(QStringLiteral("status_new")).toString();
    };
    // QTRY_* return from the enclosing function on failure, so it runs in a void lambda here.
    [&]() { QTRY_COMPARE_WITH_TIMEOUT(status(), QStringLiteral("READY"), settleTimeoutMs); }();
    return status() == QLatin1String("READY") ? datasetId : QString();
}

void ServerLoadTest::prepareLongBatch(const QString &folder)
{
    QCOMPARE(TestSupport::copyPhotos(folder, pathBatchSize, 4).size(), pathBatchSize);
    for (const QString &video : videoFiles())
        QVERIFY(QFile::copy(video, folder + QLatin1Char('/') + QFileInfo(video).fileName()));
    QCOMPARE(writePhotoVariants(folder, variantCount), variantCount);
}

void ServerLoadTest::addMediaPathFormContention()
{
    const QString folder = m_root + QStringLiteral("/batch");
    prepareLongBatch(folder);
    if (QTest::currentTestFailed())
        return;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("dataset_id"), m_datasetId);
    query.addQueryItem(QStringLiteral("path"), folder);
    const QString target = QStringLiteral("/api/v1/process/add_media?") + query.toString(QUrl::FullyEncoded);
    const QByteArray token = validToken();

    const QList<TimedResult> results = sendAllAtOnce(contenderCount, [&](QNetworkAccessManager &manager, int) {
        QNetworkRequest request = makeRequest(m_server->port(), target, token);
        // Frees the server's worker at once instead of holding it for keep-alive.
        request.setRawHeader("Connection", "close");
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
        return manager.post(request, QByteArray());
    });
    const TaskPage whileRunning = mediaAdditions(m_datasetId);

    int accepted = 0;
    int blocked = 0;
    QDateTime lastBlockedAt;
    for (const TimedResult &timed : results) {
        if (timed.result.status == 202) {
            ++accepted;
        } else {
            QCOMPARE(timed.result.status, 409);
            QCOMPARE(timed.result.detail(), blockedDetail);
            ++blocked;
            lastBlockedAt = std::max(lastBlockedAt, timed.finishedAt);
        }
    }
    // More than one 202 also appears when the first batch ended before the burst was over.
    // Tasks are listed newest first.
    const TaskInfo task = whileRunning.tasks.value(whileRunning.tasks.size() - 1);
    QVERIFY2(accepted == 1,
             qPrintable(QStringLiteral("%1 requests were accepted, and the first batch ended at %2.")
                            .arg(accepted)
                            .arg(task.endTime.toString(Qt::ISODateWithMs))));
    QCOMPARE(blocked, contenderCount - 1);

    // The accepted batch was the only one and had not ended when the last 409 arrived.
    QCOMPARE(whileRunning.total, 1);
    QVERIFY2(!task.endTime.isValid() || task.endTime >= lastBlockedAt,
             qPrintable(QStringLiteral("The batch ended at %1, before the last 409 at %2. Enlarge the batch.")
                            .arg(task.endTime.toString(Qt::ISODateWithMs), lastBlockedAt.toString(Qt::ISODateWithMs))));

    QTRY_COMPARE_WITH_TIMEOUT(datasetJson(m_server->port(), m_datasetId).value(QStringLiteral("status_new")).toString(),
                              QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);
    QCOMPARE(datasetJson(m_server->port(), m_datasetId).value(QStringLiteral("n_images")).toInt(), 4 + batchImageCount);

    const TaskPage afterwards = mediaAdditions(m_datasetId);
    QCOMPARE(afterwards.total, 1);
    QCOMPARE(afterwards.tasks.value(0).taskId, task.taskId);
    QCOMPARE(afterwards.tasks.value(0).status, TaskStatus::Completed);
    QCOMPARE(afterwards.tasks.value(0).result.addedImages, batchImageCount);
    QCOMPARE(afterwards.tasks.value(0).result.addedVideos, videoFiles().size());

    // The catalog contains the creation's items and one batch, whose items all name that task.
    MediaQuery mediaQuery;
    mediaQuery.datasetId = m_datasetId;
    QFuture<MediaPage> media = m_service->media(mediaQuery);
    QTRY_VERIFY_WITH_TIMEOUT(media.isFinished(), requestTimeoutMs);
    const MediaPage page = media.result();
    QCOMPARE(page.total, 4 + batchImageCount + videoFiles().size());
    int batchItems = 0;
    QSet<QString> taskIds;
    for (const MediaItem &item : page.items) {
        taskIds.insert(item.taskId);
        if (item.taskId == task.taskId)
            ++batchItems;
    }
    QCOMPARE(taskIds.size(), 2);
    QCOMPARE(batchItems, batchImageCount + videoFiles().size());
}

void ServerLoadTest::addMediaUploadsRejectedDuringBatch()
{
    const QString folder = m_root + QStringLiteral("/batch");
    prepareLongBatch(folder);
    if (QTest::currentTestFailed())
        return;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("dataset_id"), m_datasetId);
    query.addQueryItem(QStringLiteral("path"), folder);
    QCOMPARE(send("POST", QStringLiteral("/api/v1/process/add_media?") + query.toString(QUrl::FullyEncoded)).status, 202);

    const QStringList photos = TestSupport::opencvPhotos().mid(4 + pathBatchSize, 2);
    QCOMPARE(photos.size(), 2);
    const QString target = QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId);
    const QByteArray token = validToken();
    const QList<TimedResult> results = sendAllAtOnce(contenderCount - 1, [&](QNetworkAccessManager &manager, int index) {
        QNetworkRequest request = makeRequest(m_server->port(), target, token);
        request.setRawHeader("Connection", "close");
        // Odd requests carry two photos, even ones one.
        QHttpMultiPart *multiPart = makeMultiPart(QStringLiteral("files"), photos.mid(0, 1 + index % 2));
        QNetworkReply *reply = manager.post(request, multiPart);
        multiPart->setParent(reply);
        return reply;
    });
    // Each rejected request removed its copies before its response, and the path batch
    // stores nothing in the upload folder.
    const QStringList entriesAfterBurst = uploadFolderEntries();
    const TaskPage whileRunning = mediaAdditions(m_datasetId);

    // A 202 here means the path batch ended before the burst was over, which makes this
    // test meaningless rather than showing a server bug.
    const TaskInfo task = whileRunning.tasks.value(0);
    const int accepted = int(std::count_if(results.cbegin(), results.cend(),
                                           [](const TimedResult &timed) { return timed.result.status == 202; }));
    QVERIFY2(accepted == 0,
             qPrintable(QStringLiteral("%1 uploads were accepted: the batch ended at %2, before the burst was over. "
                                       "Enlarge the batch.")
                            .arg(accepted)
                            .arg(task.endTime.toString(Qt::ISODateWithMs))));
    for (const TimedResult &timed : results) {
        QCOMPARE(timed.result.status, 409);
        QCOMPARE(timed.result.detail(), blockedDetail);
    }
    QVERIFY2(entriesAfterBurst.isEmpty(), qPrintable(entriesAfterBurst.join(u", ")));
    QCOMPARE(whileRunning.total, 1);

    QTRY_COMPARE_WITH_TIMEOUT(datasetJson(m_server->port(), m_datasetId).value(QStringLiteral("status_new")).toString(),
                              QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);
    QCOMPARE(datasetJson(m_server->port(), m_datasetId).value(QStringLiteral("n_images")).toInt(), 4 + batchImageCount);
    QCOMPARE(mediaAdditions(m_datasetId).total, 1);
    QVERIFY(uploadFolderEntries().isEmpty());
}

void ServerLoadTest::addMediaUploadBurstNeverOverlaps()
{
    // Fifty one-photo uploads at once. A one-photo batch can end before the slower uploads
    // get their responses, so several requests may be accepted one after another. The
    // invariant is that no two batches run at the same time and every 409 names a batch.
    const QStringList photos = TestSupport::opencvPhotos().mid(4, contenderCount);
    QCOMPARE(photos.size(), contenderCount);
    const QString target = QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId);
    const QByteArray token = validToken();

    const QList<TimedResult> results = sendAllAtOnce(contenderCount, [&](QNetworkAccessManager &manager, int index) {
        QNetworkRequest request = makeRequest(m_server->port(), target, token);
        request.setRawHeader("Connection", "close");
        QHttpMultiPart *multiPart = makeMultiPart(QStringLiteral("files"), { photos.at(index) });
        QNetworkReply *reply = manager.post(request, multiPart);
        multiPart->setParent(reply);
        return reply;
    });

    int accepted = 0;
    for (const TimedResult &timed : results) {
        if (timed.result.status == 202) {
            ++accepted;
        } else {
            QCOMPARE(timed.result.status, 409);
            QCOMPARE(timed.result.detail(), blockedDetail);
        }
    }
    QVERIFY(accepted >= 1);
    qCInfo(lcServer) << "Upload burst:" << accepted << "of" << contenderCount << "requests accepted";

    QTRY_COMPARE_WITH_TIMEOUT(datasetJson(m_server->port(), m_datasetId).value(QStringLiteral("status_new")).toString(),
                              QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);
    // Sorted by start time, each batch starts after the previous one ended.
    const HttpResult tasksResult = send(
        "GET", QStringLiteral("/api/v1/tasks?dataset_id=%1&task_type=MEDIA_ADDITION&page_size=50&sort_order=asc").arg(m_datasetId));
    const TaskPage tasks = TaskPage::fromJson(QJsonDocument::fromJson(tasksResult.body).object());
    QCOMPARE(tasks.total, accepted);
    QCOMPARE(tasks.tasks.size(), accepted);
    int stored = 0;
    for (qsizetype i = 0; i < tasks.tasks.size(); ++i) {
        const TaskInfo &task = tasks.tasks.at(i);
        QCOMPARE(task.status, TaskStatus::Completed);
        QCOMPARE(task.result.addedImages + task.result.skippedDuplicates, 1);
        stored += task.result.addedImages;
        if (i > 0)
            QVERIFY(task.startTime >= tasks.tasks.at(i - 1).endTime);
    }
    QCOMPARE(datasetJson(m_server->port(), m_datasetId).value(QStringLiteral("n_images")).toInt(), 4 + stored);
    // The accepted copies go once stored, and the rejected ones went before their 409.
    QTRY_VERIFY_WITH_TIMEOUT(uploadFolderEntries().isEmpty(), settleTimeoutMs);
}

void ServerLoadTest::unauthorizedBodyHidesCredentials_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("signingSecret");
    QTest::addColumn<QString>("detail");

    const QByteArray wrongSecret = QByteArrayLiteral("wrong-secret-00112233445566778899");
    QTest::newRow("no authorization header") << QByteArray() << QByteArray()
                                             << QStringLiteral("Missing bearer token: send the header "
                                                               "'Authorization: Bearer <jwt>'.");
    QTest::newRow("wrong secret") << makeToken({ apiKey, wrongSecret, 600 }) << wrongSecret
                                  << QStringLiteral("Invalid signature: sign the token with the API secret "
                                                    "of its key id.");
    QTest::newRow("expired") << makeToken({ apiKey, apiSecret, -3600 }) << apiSecret
                             << QStringLiteral("Expired token: mint a new token with a later 'exp' claim.");
    QTest::newRow("wrong kid") << makeToken({ QStringLiteral("other-key"), apiSecret, 600 }) << apiSecret
                               << QStringLiteral("Unknown key id: the token's 'kid' header must be this "
                                                 "server's API key.");
}

void ServerLoadTest::unauthorizedBodyHidesCredentials()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, signingSecret);
    QFETCH(QString, detail);

    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 1, 50);
    QCOMPARE(photos.size(), 1);
    const quint16 port = m_server->port();
    const QList<HttpResult> results = {
        send(port, "GET", QStringLiteral("/api/v1/dataset/") + m_datasetId, nullptr, token),
        send(port, "GET", QStringLiteral("/api/v1/tasks"), nullptr, token),
        send(port, "POST", QStringLiteral("/api/v1/dataset/%1/add_media").arg(m_datasetId),
             makeMultiPart(QStringLiteral("files"), photos), token),
    };
    const QList<QByteArray> signature = token.split('.');
    for (const HttpResult &result : results) {
        QCOMPARE(result.status, 401);
        QCOMPARE(result.detail(), detail);
        QCOMPARE(result.authenticateHeader, QByteArray("Bearer"));
        QVERIFY(!result.body.contains(apiSecret));
        if (!signingSecret.isEmpty())
            QVERIFY(!result.body.contains(signingSecret));
        if (!token.isEmpty()) {
            QVERIFY(!result.body.contains(token));
            QVERIFY(!result.body.contains(signature.constLast()));
        }
    }
    QVERIFY(uploadFolderEntries().isEmpty());
    QCOMPARE(mediaAdditions(m_datasetId).total, 0);
}

QStringList ServerLoadTest::runCurl(const QStringList &arguments)
{
    QProcess curl;
    curl.setProgram(QStringLiteral("/usr/bin/curl"));
    curl.setArguments(QStringList{ QStringLiteral("--silent"), QStringLiteral("--show-error"),
                                   QStringLiteral("--output"), QStringLiteral("-"),
                                   QStringLiteral("--write-out"), QStringLiteral("\n%{http_code}") }
                      + arguments);
    QSignalSpy finished(&curl, &QProcess::finished);
    if (!finished.isValid())
        return {};
    curl.start();
    // The event loop runs while curl waits: the in-process server hands its work to this thread.
    if (!finished.wait(requestTimeoutMs))
        return {};
    return QString::fromUtf8(curl.readAllStandardOutput()).split(QLatin1Char('\n'));
}

void ServerLoadTest::chunkedUploadOverLimitLeavesNoFile()
{
    // A chunked body declares no length, so the limit applies while the parts are written:
    // the first photos reach the disk before the body passes the limit.
    const qint64 limit = m_server->options().maxUploadSize;
    QStringList photos;
    qint64 total = 0;
    for (const QString &photo : TestSupport::opencvPhotos()) {
        const qint64 size = QFileInfo(photo).size();
        if (size > limit / 4 || total > limit)
            continue;
        photos.append(photo);
        total += size;
    }
    QVERIFY2(total > limit, "The opencv-doc photos are too few to exceed the upload limit.");

    QStringList arguments{ QStringLiteral("-H"), QStringLiteral("Transfer-Encoding: chunked"),
                           QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + QString::fromLatin1(validToken()) };
    for (const QString &photo : std::as_const(photos))
        arguments << QStringLiteral("-F") << QStringLiteral("files=@") + photo;
    arguments << QStringLiteral("http://127.0.0.1:%1/api/v1/dataset/%2/add_media").arg(m_server->port()).arg(m_datasetId);

    const QStringList output = runCurl(arguments);
    QVERIFY(!output.isEmpty());
    QCOMPARE(output.constLast(), QStringLiteral("413"));
    const QString detail = QJsonDocument::fromJson(output.constFirst().toUtf8()).object()
                               .value(QStringLiteral("detail")).toString();
    QVERIFY2(detail.contains(QString::number(limit)), qPrintable(output.constFirst()));
    QVERIFY2(uploadFolderEntries().isEmpty(), qPrintable(uploadFolderEntries().join(u", ")));
    QCOMPARE(mediaAdditions(m_datasetId).total, 0);
}

void ServerLoadTest::startServe(ServeProcess &serve, const QStringList &options)
{
    serve.dataDir = m_dir->filePath(QStringLiteral("serve-data"));
    const QString secretFile = m_dir->filePath(QStringLiteral("api-secret"));
    QFile secret(secretFile);
    QVERIFY(secret.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(secret.write(apiSecret + '\n'), apiSecret.size() + 1);
    secret.close();

    serve.process = std::make_unique<QProcess>();
    serve.process->setProgram(QStringLiteral(ACCRETE_CLI_PATH));
    serve.process->setArguments(QStringList{ QStringLiteral("--data-dir"), serve.dataDir, QStringLiteral("serve"),
                                             QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                             QStringLiteral("--api-key"), apiKey,
                                             QStringLiteral("--api-secret-file"), secretFile }
                                + options);
    // The server logs every request to stderr, so a file keeps that pipe from filling up.
    serve.process->setStandardErrorFile(m_dir->filePath(QStringLiteral("serve-stderr.log")));
    serve.process->setReadChannel(QProcess::StandardOutput);
    serve.process->start();
    QVERIFY2(serve.process->waitForStarted(), qPrintable(serve.process->errorString()));

    static const QRegularExpression listening(QStringLiteral("Listening on http://127\\.0\\.0\\.1:(\\d+)"));
    const auto readPort = [&serve]() {
        serve.stdoutText += QString::fromUtf8(serve.process->readAllStandardOutput());
        return listening.match(serve.stdoutText);
    };
    QTRY_VERIFY_WITH_TIMEOUT(readPort().hasMatch() || serve.process->state() == QProcess::NotRunning, 60'000);
    const QRegularExpressionMatch match = readPort();
    QVERIFY2(match.hasMatch(), qPrintable(serve.stdoutText));
    serve.port = quint16(match.captured(1).toUInt());
    QVERIFY(serve.port != 0);
}

void ServerLoadTest::stopServe(ServeProcess &serve)
{
    if (!serve.process || serve.process->state() == QProcess::NotRunning)
        return;
    serve.process->terminate();
    QVERIFY(serve.process->waitForFinished(60'000));
    QCOMPARE(serve.process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.process->exitCode(), 0);
}

QString ServerLoadTest::createDatasetThroughServe(const ServeProcess &serve, const QString &folder)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("path"), folder);
    query.addQueryItem(QStringLiteral("name"), QStringLiteral("served"));
    const HttpResult created = send(serve.port, "POST", QStringLiteral("/api/v1/process?") + query.toString(QUrl::FullyEncoded),
                                    nullptr, validToken());
    const QString datasetId =
        QJsonDocument::fromJson(created.body).object().value(QStringLiteral("dataset_id")).toString();
    if (created.status != 200)
        qWarning("Creating a dataset through serve failed with %d: %s", created.status, created.body.constData());
    return datasetId;
}

void ServerLoadTest::serveRejectsBadTokens_data()
{
    unauthorizedBodyHidesCredentials_data();
}

void ServerLoadTest::serveRejectsBadTokens()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, signingSecret);
    QFETCH(QString, detail);

    ServeProcess serve;
    startServe(serve, { QStringLiteral("--allow-root"), m_root });
    QVERIFY(serve.port != 0);

    const HttpResult list = send(serve.port, "GET", QStringLiteral("/api/v1/datasets"), nullptr, token);
    QCOMPARE(list.status, 401);
    QCOMPARE(list.detail(), detail);
    QVERIFY(!list.body.contains(apiSecret));
    if (!signingSecret.isEmpty())
        QVERIFY(!list.body.contains(signingSecret));
    if (!token.isEmpty())
        QVERIFY(!list.body.contains(token));

    // A path request with a bad token creates nothing, even for a folder inside the root.
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("path"), m_root + QStringLiteral("/source-0"));
    const HttpResult create =
        send(serve.port, "POST", QStringLiteral("/api/v1/process?") + query.toString(QUrl::FullyEncoded), nullptr, token);
    QCOMPARE(create.status, 401);

    const HttpResult valid = send(serve.port, "GET", QStringLiteral("/api/v1/datasets"), nullptr, validToken());
    QCOMPARE(valid.status, 200);
    QCOMPARE(QJsonDocument::fromJson(valid.body).array().size(), 0);
    stopServe(serve);
}

void ServerLoadTest::servePathOutsideRootRejected_data()
{
    QTest::addColumn<QString>("path");
    // ROOT is the --allow-root folder, and OUTSIDE is a folder of photos next to it.
    QTest::newRow("outside every root") << QStringLiteral("OUTSIDE");
    QTest::newRow("dot-dot escape") << QStringLiteral("ROOT/../outside");
    QTest::newRow("dot-dot from a subfolder") << QStringLiteral("ROOT/source-0/../../outside");
    QTest::newRow("symlink to a folder outside") << QStringLiteral("ROOT/link-out");
    QTest::newRow("folder below a symlink outside") << QStringLiteral("ROOT/link-up/outside");
    QTest::newRow("symlink to a file outside") << QStringLiteral("ROOT/photo-link.jpg");
}

void ServerLoadTest::servePathOutsideRootRejected()
{
    QFETCH(QString, path);
    const QString outside = m_dir->filePath(QStringLiteral("outside"));
    const QStringList outsidePhotos = TestSupport::copyPhotos(outside, 2, 60);
    QCOMPARE(outsidePhotos.size(), 2);
    QVERIFY(QFile::link(outside, m_root + QStringLiteral("/link-out")));
    QVERIFY(QFile::link(m_dir->path(), m_root + QStringLiteral("/link-up")));
    QVERIFY(QFile::link(outsidePhotos.constFirst(), m_root + QStringLiteral("/photo-link.jpg")));
    path.replace(QStringLiteral("OUTSIDE"), outside).replace(QStringLiteral("ROOT"), m_root);

    ServeProcess serve;
    startServe(serve, { QStringLiteral("--allow-root"), m_root });
    QVERIFY(serve.port != 0);
    const QString datasetId = createDatasetThroughServe(serve, m_root + QStringLiteral("/source-0"));
    QVERIFY(!datasetId.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(datasetJson(serve.port, datasetId).value(QStringLiteral("status_new")).toString(),
                              QStringLiteral("READY"), settleTimeoutMs);

    QUrlQuery createQuery;
    createQuery.addQueryItem(QStringLiteral("path"), path);
    createQuery.addQueryItem(QStringLiteral("name"), QStringLiteral("escaped"));
    const HttpResult create = send(serve.port, "POST", QStringLiteral("/api/v1/process?") + createQuery.toString(QUrl::FullyEncoded),
                                   nullptr, validToken());
    QCOMPARE(create.status, 403);
    QVERIFY2(create.detail().contains(m_root), create.body.constData());

    QUrlQuery addQuery;
    addQuery.addQueryItem(QStringLiteral("dataset_id"), datasetId);
    addQuery.addQueryItem(QStringLiteral("path"), path);
    const HttpResult add = send(serve.port, "POST", QStringLiteral("/api/v1/process/add_media?") + addQuery.toString(QUrl::FullyEncoded),
                                nullptr, validToken());
    QCOMPARE(add.status, 403);
    QVERIFY2(add.detail().contains(m_root), add.body.constData());

    const HttpResult list = send(serve.port, "GET", QStringLiteral("/api/v1/datasets"), nullptr, validToken());
    QCOMPARE(QJsonDocument::fromJson(list.body).array().size(), 1);
    const QJsonObject dataset = datasetJson(serve.port, datasetId);
    QCOMPARE(dataset.value(QStringLiteral("status_new")).toString(), QStringLiteral("READY"));
    QCOMPARE(dataset.value(QStringLiteral("n_images")).toInt(), 4);
    stopServe(serve);
}

void ServerLoadTest::serveUploadOverLimitLeavesNoFile()
{
    constexpr qint64 limit = 200 * 1024;
    ServeProcess serve;
    startServe(serve, { QStringLiteral("--allow-root"), m_root, QStringLiteral("--max-upload-size"),
                        QString::number(limit) });
    QVERIFY(serve.port != 0);
    const QString datasetId = createDatasetThroughServe(serve, m_root + QStringLiteral("/source-0"));
    QVERIFY(!datasetId.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(datasetJson(serve.port, datasetId).value(QStringLiteral("status_new")).toString(),
                              QStringLiteral("READY"), settleTimeoutMs);

    // Several photos under the limit each, together over it.
    QStringList photos;
    qint64 total = 0;
    for (const QString &photo : TestSupport::opencvPhotos()) {
        const qint64 size = QFileInfo(photo).size();
        if (size > limit / 4 || total > limit)
            continue;
        photos.append(photo);
        total += size;
    }
    QVERIFY(total > limit);
    const QString target = QStringLiteral("/api/v1/dataset/%1/add_media").arg(datasetId);

    const HttpResult declared =
        send(serve.port, "POST", target, makeMultiPart(QStringLiteral("files"), photos), validToken());
    QCOMPARE(declared.status, 413);
    QVERIFY2(declared.detail().contains(QString::number(limit)), declared.body.constData());
    QVERIFY2(folderEntries(serve.uploadDir()).isEmpty(), qPrintable(folderEntries(serve.uploadDir()).join(u", ")));

    QStringList arguments{ QStringLiteral("-H"), QStringLiteral("Transfer-Encoding: chunked"),
                           QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + QString::fromLatin1(validToken()) };
    for (const QString &photo : std::as_const(photos))
        arguments << QStringLiteral("-F") << QStringLiteral("files=@") + photo;
    arguments << QStringLiteral("http://127.0.0.1:%1%2").arg(serve.port).arg(target);
    const QStringList chunked = runCurl(arguments);
    QVERIFY(!chunked.isEmpty());
    QCOMPARE(chunked.constLast(), QStringLiteral("413"));
    QVERIFY2(folderEntries(serve.uploadDir()).isEmpty(), qPrintable(folderEntries(serve.uploadDir()).join(u", ")));

    // Under the limit the same server accepts an upload.
    const HttpResult small =
        send(serve.port, "POST", target, makeMultiPart(QStringLiteral("files"), { photos.constLast() }), validToken());
    QCOMPARE(small.status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(datasetJson(serve.port, datasetId).value(QStringLiteral("status_new")).toString(),
                              QStringLiteral("PARTIAL INDEX"), settleTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(folderEntries(serve.uploadDir()).isEmpty(), settleTimeoutMs);
    stopServe(serve);
}

QTEST_MAIN(ServerLoadTest)
#include "tst_serverload.moc"
