// The public Add Media API guide, run as its readers run it: its curl commands through bash
// and /usr/bin/curl, and its Python example through python3, against a real
// `accrete-cli serve` process on 127.0.0.1. Only the placeholders listed in doccommands.h
// are replaced, and in the Python example its base URL, token, dataset id and poll interval.

#include <cstdlib>

#include <jwt.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "doccommands.h"
#include "testsupport.h"

using namespace Accrete;

namespace {

constexpr char curlPath[] = "/usr/bin/curl";
constexpr char bashPath[] = "/bin/bash";
constexpr char python3Path[] = "/usr/bin/python3";
constexpr char ffmpegPath[] = "/usr/bin/ffmpeg";

// Generous bounds for a shared, loaded build machine. None of them is a timing goal.
constexpr int commandTimeoutMs = 120'000;
constexpr int serverStartTimeoutMs = 60'000;
constexpr int statusTimeoutMs = 300'000;
constexpr int pollIntervalMs = 250;

// curl's own config file (read through $CURL_HOME) appends this marker and the HTTP status
// after the response body, so that the guide's commands run without extra options.
constexpr char statusMarker[] = "\naccrete-http-status:";

// The guide's placeholder dataset id in its worked example.
constexpr char workingExampleDatasetId[] = "54c51218-db7a-11f0-b8bd-ea1ec7478511";

const QString apiKey = QStringLiteral("apidocs-test-key");

// The S3 location that the guide's Python example adds.
constexpr char pythonExampleS3Uri[] = "s3://your-bucket/path/to/media/";

// s3rver's built-in access key id, which is also its secret access key.
constexpr char s3rverKey[] = "S3RVER";
constexpr int npmInstallTimeoutMs = 240'000;

// Photos that the test puts below s3://your-bucket/path/to/media/folder/, directly below
// s3://your-bucket/path/to/media/, and below s3://external-bucket/images/.
constexpr qsizetype s3FolderPhotos = 2;
constexpr qsizetype s3MediaPhotos = 2;
constexpr qsizetype s3ExternalPhotos = 2;

// The detail text of a 400 for an S3 location that cannot be read.
QString invalidS3Detail(const QString &uri)
{
    return QStringLiteral("Invalid S3 URI or no media files found at %1").arg(uri);
}

struct ServerProcess
{
    std::unique_ptr<QProcess> process;
    QString baseUrl;
};

struct PythonRun
{
    int exitCode = -1;
    QStringList lines; // standard output without empty lines
    QByteArray errorOutput;
};

struct CommandResult
{
    int exitCode = -1;
    int httpStatus = 0;
    QByteArray body;
    QByteArray errorOutput;

    QByteArray describe() const
    {
        return "exit code " + QByteArray::number(exitCode) + ", HTTP " + QByteArray::number(httpStatus)
            + ", body '" + body + "', stderr '" + errorOutput + "'";
    }

    QString detail() const { return QJsonDocument::fromJson(body).object().value(u"detail").toString(); }
};

// A loopback port that nothing listens on right now.
quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// Mints the bearer token the server expects: HS256, header kid=<key>, claims sub=<key>,
// iss="sdk", iat and exp. Returns an empty array when libjwt fails.
QByteArray mintToken(const QString &key, const QByteArray &secret)
{
    jwt_t *token = nullptr;
    if (jwt_new(&token) != 0)
        return QByteArray();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray keyUtf8 = key.toUtf8();
    QByteArray result;
    if (jwt_set_alg(token, JWT_ALG_HS256, reinterpret_cast<const unsigned char *>(secret.constData()),
                    int(secret.size()))
            == 0
        && jwt_add_header(token, "kid", keyUtf8.constData()) == 0
        && jwt_add_grant(token, "sub", keyUtf8.constData()) == 0
        && jwt_add_grant(token, "iss", "sdk") == 0 && jwt_add_grant_int(token, "iat", long(now)) == 0
        && jwt_add_grant_int(token, "exp", long(now + 3600)) == 0) {
        char *encoded = jwt_encode_str(token);
        result = QByteArray(encoded ? encoded : "");
        std::free(encoded);
    }
    jwt_free(token);
    return result;
}

// The environment of every child process: no proxy, so that requests to 127.0.0.1 go
// straight to the test's server, and no AWS settings from the caller's shell.
QProcessEnvironment childEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : { "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                              "ALL_PROXY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                              "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL",
                              "AWS_ENDPOINT_URL_S3", "ACCRETE_S3_ENDPOINT", "ACCRETE_API_KEY",
                              "ACCRETE_API_SECRET", "CURL_HOME" }) {
        environment.remove(QLatin1String(name));
    }
    environment.insert(QStringLiteral("NO_PROXY"), QStringLiteral("127.0.0.1,localhost"));
    environment.insert(QStringLiteral("no_proxy"), QStringLiteral("127.0.0.1,localhost"));
    return environment;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

// The opencv-doc photos stored as JPEG, so that copies named "*.jpg" contain JPEG data.
QStringList jpegPhotos()
{
    QStringList photos = TestSupport::opencvPhotos();
    photos.removeIf([](const QString &path) { return !path.endsWith(QLatin1String(".jpg")); });
    return photos;
}

} // namespace

class TestApiDocs final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void listDatasetsShowsCreatedDataset();
    void getDatasetReportsReady();
    void directUploadThenManualReindex();
    void archiveUploadReachesPartialIndex();
    void autoReindexReturnsToReady_data();
    void autoReindexReturnsToReady();
    void addMediaRejectedWhileBatchRuns();
    void reindexRejectedUnlessPartialIndex();
    void onPremisesAddMediaForm();
    void s3CommandsRejectedWithoutS3_data();
    void s3CommandsRejectedWithoutS3();
    void pythonExampleReportsS3Error();
    void s3CommandsAddFromS3rver_data();
    void s3CommandsAddFromS3rver();
    void pythonExampleAddsFromS3();

private:
    // Starts `accrete-cli serve` on `dataDir` and a free port. `s3Settings` are the AWS and
    // ACCRETE_S3_ENDPOINT variables of its environment.
    void startServer(const QString &dataDir, const QProcessEnvironment &s3Settings, ServerProcess *server);
    // Stops `server` with SIGTERM and checks that it exited cleanly.
    void stopServer(ServerProcess *server);

    // Replaces the guide's placeholders in `command`. `mediaDir` replaces /path/to and
    // /data/new_images.
    QString substitute(const QString &command, const QString &datasetId, const QString &mediaDir) const;
    // Runs `script` with bash. `curlHome` contains the .curlrc that curl reads.
    CommandResult runScript(const QString &script, const QString &curlHome) const;
    CommandResult runDocCommand(const QString &command, const QString &datasetId,
                                const QString &mediaDir = QString()) const;

    // Creates a dataset of `photoCount` JPEG photos from `offset` through the on-premises form
    // and waits until it is READY. Sets `datasetId`.
    void createDataset(const QString &name, int photoCount, int offset, QString *datasetId);
    // Polls the guide's Step 2 command until status_new is `expected`. Fails at once when the
    // dataset reaches ERROR. Sets `dataset` to the last response.
    void waitForStatus(const QString &datasetId, const QString &expected, QJsonObject *dataset);
    QJsonObject fetchDataset(const QString &datasetId);

    // Writes image1.jpg and image2.jpg (two JPEG photos from `offset`) and video.mp4 (one second
    // of an opencv-doc clip) into `dir`, the files of the guide's direct upload command.
    void writeUploadFiles(const QString &dir, int offset);
    // Writes media.zip with `count` photos from `offset` into `dir`.
    void writeArchive(const QString &dir, int count, int offset);

    // Runs the guide's Python example with python3 against m_baseUrl and `datasetId`, polling
    // every `pollSeconds` instead of every 30 s.
    void runPythonExample(const QString &datasetId, const QString &pollSeconds, PythonRun *run);

    // Starts s3rver, fills its buckets and starts m_s3Server against it, unless that happened
    // already. Sets `skipReason` when s3rver cannot be installed.
    void startS3Backend(QString *skipReason);
    // Installs s3rver into the build tree unless it is there. Returns false with the reason.
    bool installS3rver(QString *error);
    // Starts s3rver on 127.0.0.1 and a free port, and sets m_s3Endpoint.
    void startS3rver();
    // Sends one S3 request to s3rver with curl, signed with s3rver's built-in key pair.
    bool s3Request(const QStringList &arguments, const QString &path) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    ServerProcess m_server;
    QString m_baseUrl; // the server that the guide's commands are sent to
    QByteArray m_secret;
    QByteArray m_token;
    QString m_curlHome;          // .curlrc: status marker only
    QString m_curlHomeWithToken; // .curlrc: status marker and the Authorization header
    int m_nextDataset = 0;

    QString m_s3rverScript;
    std::unique_ptr<QProcess> m_s3rver;
    QString m_s3Endpoint;
    ServerProcess m_s3Server; // reads S3 from s3rver
};

void TestApiDocs::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    for (const char *tool : { curlPath, bashPath, python3Path, ffmpegPath })
        QVERIFY2(QFileInfo(QLatin1String(tool)).isExecutable(), tool);
    QVERIFY2(jpegPhotos().size() >= 40, "needs the opencv-doc package's photos");

    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());

    m_secret = QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + "-apidocs-secret";
    m_token = mintToken(apiKey, m_secret);
    QVERIFY(!m_token.isEmpty());

    const QByteArray statusLine =
        "silent\nshow-error\nwrite-out = \"" + QByteArray(statusMarker).replace("\n", "\\n") + "%{http_code}\"\n";
    m_curlHome = m_dir->filePath(QStringLiteral("curl-home"));
    m_curlHomeWithToken = m_dir->filePath(QStringLiteral("curl-home-token"));
    QVERIFY(QDir().mkpath(m_curlHome));
    QVERIFY(QDir().mkpath(m_curlHomeWithToken));
    QVERIFY(writeFile(m_curlHome + QStringLiteral("/.curlrc"), statusLine));
    QVERIFY(writeFile(m_curlHomeWithToken + QStringLiteral("/.curlrc"),
                      statusLine + "header = \"Authorization: Bearer " + m_token + "\"\n"));

    // No credentials, and an endpoint on a loopback port where nothing listens: the server
    // can read no S3 location, and no S3 request can leave this machine.
    const quint16 closedPort = freeLoopbackPort();
    QVERIFY(closedPort != 0);
    QProcessEnvironment noS3;
    noS3.insert(QStringLiteral("ACCRETE_S3_ENDPOINT"), QStringLiteral("http://127.0.0.1:%1").arg(closedPort));
    startServer(m_dir->filePath(QStringLiteral("data")), noS3, &m_server);
    m_baseUrl = m_server.baseUrl;
}

void TestApiDocs::cleanupTestCase()
{
    stopServer(&m_s3Server);
    if (m_s3rver) {
        m_s3rver->kill();
        m_s3rver->waitForFinished();
    }
    stopServer(&m_server);
}

void TestApiDocs::stopServer(ServerProcess *server)
{
    if (!server->process)
        return;
    const std::unique_ptr<QProcess> process = std::move(server->process);
    process->terminate();
    QVERIFY(process->waitForFinished(30'000));
    QCOMPARE(process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(process->exitCode(), 0);
}

void TestApiDocs::startServer(const QString &dataDir, const QProcessEnvironment &s3Settings,
                              ServerProcess *server)
{
    const quint16 port = freeLoopbackPort();
    QVERIFY(port != 0);

    QProcessEnvironment environment = childEnvironment();
    environment.insert(QStringLiteral("ACCRETE_API_KEY"), apiKey);
    environment.insert(QStringLiteral("ACCRETE_API_SECRET"), QString::fromLatin1(m_secret));
    environment.insert(s3Settings);

    server->process = std::make_unique<QProcess>();
    QProcess *process = server->process.get();
    process->setProgram(QStringLiteral(ACCRETE_CLI_PATH));
    process->setArguments({ QStringLiteral("--data-dir"), dataDir, QStringLiteral("serve"),
                             QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                             QStringLiteral("--allow-root"), m_dir->path() });
    process->setProcessEnvironment(environment);
    process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process->start();
    QVERIFY2(process->waitForStarted(), qPrintable(process->errorString()));

    // The server prints "Listening on http://HOST:PORT ..." once the port is bound.
    QByteArray output;
    QDeadlineTimer deadline(serverStartTimeoutMs);
    while (!output.contains("Listening on") && !deadline.hasExpired()
           && process->state() == QProcess::Running) {
        process->waitForReadyRead(500);
        output += process->readAllStandardOutput();
    }
    QVERIFY2(output.contains("Listening on"), output.constData());
    server->baseUrl = QStringLiteral("http://127.0.0.1:%1").arg(port);
}

QString TestApiDocs::substitute(const QString &command, const QString &datasetId, const QString &mediaDir) const
{
    QString result = command;
    result.replace(QLatin1String("https://app.visual-layer.com"), m_baseUrl);
    result.replace(QLatin1String("http://localhost:2080"), m_baseUrl);
    result.replace(QLatin1String("<jwt>"), QString::fromLatin1(m_token));
    result.replace(QLatin1String("<dataset_id>"), datasetId);
    result.replace(QLatin1String(workingExampleDatasetId), datasetId);
    if (!mediaDir.isEmpty()) {
        // Only upload paths (curl's "=@file"), because the S3 URIs contain /path/to/ as well.
        result.replace(QLatin1String("=@/path/to/"), QStringLiteral("=@%1/").arg(mediaDir));
        result.replace(QLatin1String("/data/new_images"), mediaDir);
    }
    return result;
}

CommandResult TestApiDocs::runScript(const QString &script, const QString &curlHome) const
{
    QProcessEnvironment environment = childEnvironment();
    // `curl` in the guide's commands resolves to /usr/bin/curl.
    environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    environment.insert(QStringLiteral("CURL_HOME"), curlHome);
    environment.insert(QStringLiteral("HOME"), curlHome);

    QProcess process;
    process.setProgram(QLatin1String(bashPath));
    process.setArguments({ QStringLiteral("-c"), script });
    process.setProcessEnvironment(environment);
    process.start();

    CommandResult result;
    if (!process.waitForStarted() || !process.waitForFinished(commandTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.errorOutput = "bash did not finish: " + process.errorString().toUtf8();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.errorOutput = process.readAllStandardError();
    const QByteArray output = process.readAllStandardOutput();
    const qsizetype marker = output.lastIndexOf(statusMarker);
    if (marker < 0) {
        result.body = output;
        return result;
    }
    result.body = output.left(marker);
    result.httpStatus = output.mid(marker + qsizetype(sizeof(statusMarker) - 1)).trimmed().toInt();
    return result;
}

CommandResult TestApiDocs::runDocCommand(const QString &command, const QString &datasetId,
                                         const QString &mediaDir) const
{
    return runScript(substitute(command, datasetId, mediaDir), m_curlHome);
}

QJsonObject TestApiDocs::fetchDataset(const QString &datasetId)
{
    const CommandResult result = runDocCommand(QLatin1String(ApiDocs::getDataset), datasetId);
    if (result.exitCode != 0 || result.httpStatus != 200) {
        qWarning("Retrieving dataset %s failed: %s", qPrintable(datasetId), result.describe().constData());
        return QJsonObject();
    }
    return QJsonDocument::fromJson(result.body).object();
}

void TestApiDocs::waitForStatus(const QString &datasetId, const QString &expected, QJsonObject *dataset)
{
    QStringList seen;
    QDeadlineTimer deadline(statusTimeoutMs);
    while (!deadline.hasExpired()) {
        *dataset = fetchDataset(datasetId);
        const QString status = dataset->value(u"status_new").toString();
        if (seen.isEmpty() || seen.constLast() != status)
            seen.append(status);
        if (status == expected)
            return;
        QVERIFY2(status != QLatin1String("ERROR"),
                 qPrintable(QStringLiteral("dataset %1 reached ERROR: %2")
                                .arg(datasetId, dataset->value(u"fatal_error_msg").toString())));
        QThread::msleep(pollIntervalMs);
    }
    QFAIL(qPrintable(QStringLiteral("dataset %1 did not reach %2 within %3 s; statuses seen: %4")
                         .arg(datasetId, expected)
                         .arg(statusTimeoutMs / 1000)
                         .arg(seen.join(QLatin1String(", ")))));
}

void TestApiDocs::createDataset(const QString &name, int photoCount, int offset, QString *datasetId)
{
    const QString sourceDir = m_dir->filePath(QStringLiteral("source-%1").arg(name));
    const QStringList photos = jpegPhotos().mid(offset, photoCount);
    QCOMPARE(photos.size(), photoCount);
    QVERIFY(QDir().mkpath(sourceDir));
    for (const QString &photo : photos)
        QVERIFY(QFile::copy(photo, QDir(sourceDir).filePath(QFileInfo(photo).fileName())));

    QString command = substitute(QLatin1String(ApiDocs::onPremisesCreate), QString(), sourceDir);
    command.replace(QLatin1String("<dataset_name>"), name);
    const CommandResult result = runScript(command, m_curlHomeWithToken);
    QVERIFY2(result.exitCode == 0, result.describe().constData());
    QVERIFY2(result.httpStatus == 200, result.describe().constData());
    const QJsonObject reply = QJsonDocument::fromJson(result.body).object();
    QCOMPARE(reply.value(u"status").toString(), QStringLiteral("success"));
    QCOMPARE(reply.value(u"name").toString(), name);
    *datasetId = reply.value(u"dataset_id").toString();
    QVERIFY2(!datasetId->isEmpty(), result.describe().constData());

    QJsonObject dataset;
    waitForStatus(*datasetId, QStringLiteral("READY"), &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), photoCount);
}

void TestApiDocs::writeUploadFiles(const QString &dir, int offset)
{
    QVERIFY(QDir().mkpath(dir));
    const QStringList photos = jpegPhotos().mid(offset, 2);
    QCOMPARE(photos.size(), 2);
    QVERIFY(QFile::copy(photos.at(0), QDir(dir).filePath(QStringLiteral("image1.jpg"))));
    QVERIFY(QFile::copy(photos.at(1), QDir(dir).filePath(QStringLiteral("image2.jpg"))));

    QProcess ffmpeg;
    ffmpeg.setProgram(QLatin1String(ffmpegPath));
    ffmpeg.setArguments({ QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-y"),
                          QStringLiteral("-i"), TestSupport::opencvDataDir() + QStringLiteral("/vtest.avi"),
                          QStringLiteral("-t"), QStringLiteral("1"), QStringLiteral("-an"),
                          QStringLiteral("-c:v"), QStringLiteral("libx264"), QStringLiteral("-pix_fmt"),
                          QStringLiteral("yuv420p"), QDir(dir).filePath(QStringLiteral("video.mp4")) });
    ffmpeg.start();
    QVERIFY(ffmpeg.waitForFinished(commandTimeoutMs));
    QVERIFY2(ffmpeg.exitCode() == 0, ffmpeg.readAllStandardError().constData());
}

void TestApiDocs::writeArchive(const QString &dir, int count, int offset)
{
    QVERIFY(QDir().mkpath(dir));
    const QStringList photos = jpegPhotos().mid(offset, count);
    QCOMPARE(photos.size(), count);
    QList<TestSupport::ArchiveEntry> entries;
    for (const QString &photo : photos)
        entries.append({ QStringLiteral("media/") + QFileInfo(photo).fileName(), QByteArray(), photo });
    QString error;
    QVERIFY2(TestSupport::writeArchive(QDir(dir).filePath(QStringLiteral("media.zip")),
                                       TestSupport::ArchiveFormat::Zip, entries, &error),
             qPrintable(error));
}

void TestApiDocs::listDatasetsShowsCreatedDataset()
{
    QString datasetId;
    createDataset(QStringLiteral("listed"), 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    const CommandResult result = runDocCommand(QLatin1String(ApiDocs::listDatasets), datasetId);
    QVERIFY2(result.exitCode == 0, result.describe().constData());
    QCOMPARE(result.httpStatus, 200);
    const QJsonDocument document = QJsonDocument::fromJson(result.body);
    QVERIFY2(document.isArray(), result.body.constData());
    QJsonObject listed;
    for (const QJsonValue &value : document.array()) {
        if (value.toObject().value(u"id").toString() == datasetId)
            listed = value.toObject();
    }
    QVERIFY2(!listed.isEmpty(), result.body.constData());
    QCOMPARE(listed.value(u"display_name").toString(), QStringLiteral("listed"));
    QCOMPARE(listed.value(u"status_new").toString(), QStringLiteral("READY"));
}

void TestApiDocs::getDatasetReportsReady()
{
    QString datasetId;
    createDataset(QStringLiteral("retrieved"), 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    const CommandResult result = runDocCommand(QLatin1String(ApiDocs::getDataset), datasetId);
    QVERIFY2(result.exitCode == 0, result.describe().constData());
    QCOMPARE(result.httpStatus, 200);
    const QJsonObject dataset = QJsonDocument::fromJson(result.body).object();
    QCOMPARE(dataset.value(u"id").toString(), datasetId);
    QCOMPARE(dataset.value(u"display_name").toString(), QStringLiteral("retrieved"));
    QCOMPARE(dataset.value(u"status_new").toString(), QStringLiteral("READY"));
    QCOMPARE(dataset.value(u"n_images").toInt(), 3);

    // The same command for an id that does not exist.
    const CommandResult missing =
        runDocCommand(QLatin1String(ApiDocs::getDataset), QStringLiteral("00000000-0000-0000-0000-000000000000"));
    QCOMPARE(missing.httpStatus, 404);
    QCOMPARE(missing.detail(), QStringLiteral("Dataset not found"));
}

void TestApiDocs::directUploadThenManualReindex()
{
    QString datasetId;
    createDataset(QStringLiteral("direct-upload"), 4, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;
    const QString mediaDir = m_dir->filePath(QStringLiteral("direct-upload-media"));
    writeUploadFiles(mediaDir, 10);
    if (QTest::currentTestFailed())
        return;

    const CommandResult upload = runDocCommand(QLatin1String(ApiDocs::directUpload), datasetId, mediaDir);
    QVERIFY2(upload.exitCode == 0, upload.describe().constData());
    QVERIFY2(upload.httpStatus == 202, upload.describe().constData());
    QCOMPARE(upload.body, QByteArray());

    QJsonObject dataset;
    waitForStatus(datasetId, QStringLiteral("PARTIAL INDEX"), &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), 4 + 2);
    QCOMPARE(dataset.value(u"n_videos").toInt(), 1);

    const CommandResult reindex = runDocCommand(QLatin1String(ApiDocs::manualReindex), datasetId);
    QVERIFY2(reindex.exitCode == 0, reindex.describe().constData());
    QVERIFY2(reindex.httpStatus == 202, reindex.describe().constData());
    QCOMPARE(reindex.body, QByteArray());

    waitForStatus(datasetId, QStringLiteral("READY"), &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), 4 + 2);
    QCOMPARE(dataset.value(u"n_videos").toInt(), 1);
}

void TestApiDocs::archiveUploadReachesPartialIndex()
{
    QString datasetId;
    createDataset(QStringLiteral("archive-upload"), 4, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;
    const QString mediaDir = m_dir->filePath(QStringLiteral("archive-upload-media"));
    writeArchive(mediaDir, 5, 12);
    if (QTest::currentTestFailed())
        return;

    const CommandResult upload = runDocCommand(QLatin1String(ApiDocs::archiveUpload), datasetId, mediaDir);
    QVERIFY2(upload.exitCode == 0, upload.describe().constData());
    QVERIFY2(upload.httpStatus == 202, upload.describe().constData());
    QCOMPARE(upload.body, QByteArray());

    QJsonObject dataset;
    waitForStatus(datasetId, QStringLiteral("PARTIAL INDEX"), &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), 4 + 5);

    // A second batch is accepted in PARTIAL INDEX as well.
    const QString secondDir = m_dir->filePath(QStringLiteral("archive-upload-media-2"));
    writeArchive(secondDir, 3, 20);
    if (QTest::currentTestFailed())
        return;
    const CommandResult second = runDocCommand(QLatin1String(ApiDocs::archiveUpload), datasetId, secondDir);
    QVERIFY2(second.httpStatus == 202, second.describe().constData());
    QCOMPARE(second.body, QByteArray());
    waitForStatus(datasetId, QStringLiteral("PARTIAL INDEX"), &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), 4 + 5 + 3);
}

void TestApiDocs::autoReindexReturnsToReady_data()
{
    QTest::addColumn<bool>("withArchive");
    QTest::addColumn<int>("addedImages");
    QTest::addColumn<int>("addedVideos");

    QTest::newRow("files") << false << 2 << 1;
    QTest::newRow("archive") << true << 4 << 0;
}

void TestApiDocs::autoReindexReturnsToReady()
{
    QFETCH(bool, withArchive);
    QFETCH(int, addedImages);
    QFETCH(int, addedVideos);

    const QString name = QStringLiteral("auto-reindex-%1").arg(++m_nextDataset);
    QString datasetId;
    createDataset(name, 4, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    // The guide's auto_reindex command with its S3 line swapped for a local source line.
    const QString mediaDir = m_dir->filePath(name + QStringLiteral("-media"));
    QString sourceLines;
    if (withArchive) {
        writeArchive(mediaDir, addedImages, 24);
        sourceLines = QLatin1String(ApiDocs::archiveSourceLine);
    } else {
        writeUploadFiles(mediaDir, 26);
        const QString upload = QLatin1String(ApiDocs::directUpload);
        const QRegularExpression fileLine(QStringLiteral(R"(-F "files=@[^"]+")"));
        QStringList lines;
        for (auto match = fileLine.globalMatch(upload); match.hasNext();)
            lines.append(match.next().captured(0));
        QCOMPARE(lines.size(), 3);
        sourceLines = lines.join(QLatin1String(" \\\n  "));
    }
    if (QTest::currentTestFailed())
        return;
    QString command = QLatin1String(ApiDocs::addFromS3WithAutoReindex);
    QVERIFY(command.contains(QLatin1String(ApiDocs::autoReindexS3SourceLine)));
    command.replace(QLatin1String(ApiDocs::autoReindexS3SourceLine), sourceLines);

    const CommandResult upload = runDocCommand(command, datasetId, mediaDir);
    QVERIFY2(upload.exitCode == 0, upload.describe().constData());
    QVERIFY2(upload.httpStatus == 202, upload.describe().constData());
    QCOMPARE(upload.body, QByteArray());

    // The request moved the dataset out of READY before it was accepted, so READY here is the
    // end of the combined update and reindex.
    QJsonObject dataset;
    waitForStatus(datasetId, QStringLiteral("READY"), &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), 4 + addedImages);
    QCOMPARE(dataset.value(u"n_videos").toInt(), addedVideos);
}

void TestApiDocs::addMediaRejectedWhileBatchRuns()
{
    QString datasetId;
    createDataset(QStringLiteral("conflict"), 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    // A large first batch, so that it still runs when the second request arrives.
    const QString largeDir = m_dir->filePath(QStringLiteral("conflict-large"));
    const int largeCount = int(jpegPhotos().size()) - 3;
    writeArchive(largeDir, largeCount, 3);
    const QString smallDir = m_dir->filePath(QStringLiteral("conflict-small"));
    writeUploadFiles(smallDir, 0);
    if (QTest::currentTestFailed())
        return;

    const CommandResult first = runDocCommand(QLatin1String(ApiDocs::archiveUpload), datasetId, largeDir);
    QVERIFY2(first.exitCode == 0, first.describe().constData());
    QVERIFY2(first.httpStatus == 202, first.describe().constData());
    const CommandResult second = runDocCommand(QLatin1String(ApiDocs::directUpload), datasetId, smallDir);
    QVERIFY2(second.exitCode == 0, second.describe().constData());
    QCOMPARE(second.httpStatus, 409);
    QCOMPARE(second.detail(), QStringLiteral("Operation 'add_media' is blocked while MEDIA_ADDITION task is running"));

    // Only the first batch was added.
    QJsonObject dataset;
    waitForStatus(datasetId, QStringLiteral("PARTIAL INDEX"), &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), 3 + largeCount);
}

void TestApiDocs::reindexRejectedUnlessPartialIndex()
{
    QString datasetId;
    createDataset(QStringLiteral("reindex-ready"), 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    const CommandResult reindex = runDocCommand(QLatin1String(ApiDocs::manualReindex), datasetId);
    QVERIFY2(reindex.exitCode == 0, reindex.describe().constData());
    QCOMPARE(reindex.httpStatus, 409);
    QVERIFY2(reindex.detail().contains(QLatin1String("PARTIAL INDEX")), reindex.body.constData());
    QCOMPARE(fetchDataset(datasetId).value(u"status_new").toString(), QStringLiteral("READY"));

    const CommandResult missing =
        runDocCommand(QLatin1String(ApiDocs::manualReindex), QStringLiteral("00000000-0000-0000-0000-000000000000"));
    QCOMPARE(missing.httpStatus, 404);
    QCOMPARE(missing.detail(), QStringLiteral("Dataset not found"));
}

void TestApiDocs::onPremisesAddMediaForm()
{
    QString datasetId;
    createDataset(QStringLiteral("on-premises"), 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;
    const QString mediaDir = m_dir->filePath(QStringLiteral("on-premises-new-images"));
    QVERIFY(QDir().mkpath(mediaDir));
    const QStringList photos = TestSupport::copyPhotos(mediaDir, 3, 30);
    QCOMPARE(photos.size(), 3);

    // The on-premises form carries no token, but this server requires one, so the first
    // attempt is rejected and changes nothing.
    const CommandResult anonymous =
        runDocCommand(QLatin1String(ApiDocs::onPremisesAddMedia), datasetId, mediaDir);
    QVERIFY2(anonymous.exitCode == 0, anonymous.describe().constData());
    QCOMPARE(anonymous.httpStatus, 401);
    QCOMPARE(fetchDataset(datasetId).value(u"status_new").toString(), QStringLiteral("READY"));

    // The same command with the token supplied by curl's config file.
    const CommandResult accepted =
        runScript(substitute(QLatin1String(ApiDocs::onPremisesAddMedia), datasetId, mediaDir), m_curlHomeWithToken);
    QVERIFY2(accepted.exitCode == 0, accepted.describe().constData());
    QVERIFY2(accepted.httpStatus == 202, accepted.describe().constData());

    QJsonObject dataset;
    waitForStatus(datasetId, QStringLiteral("PARTIAL INDEX"), &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), 3 + 3);

    // A folder outside --allow-root is rejected.
    const CommandResult outside =
        runScript(substitute(QLatin1String(ApiDocs::onPremisesAddMedia), datasetId, QStringLiteral("/usr/share")),
                  m_curlHomeWithToken);
    QVERIFY2(outside.httpStatus >= 400 && outside.httpStatus < 500, outside.describe().constData());
    QCOMPARE(fetchDataset(datasetId).value(u"status_new").toString(), QStringLiteral("PARTIAL INDEX"));
}

void TestApiDocs::s3CommandsRejectedWithoutS3_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("uri");

    QTest::newRow("s3 folder") << QString::fromLatin1(ApiDocs::addFromS3)
                               << QStringLiteral("s3://your-bucket/path/to/media/folder/");
    QTest::newRow("working example") << QString::fromLatin1(ApiDocs::workingExampleAdd)
                                     << QStringLiteral("s3://visual-layer/datasets/tiktok_users/amit46473/");
    QTest::newRow("auto reindex") << QString::fromLatin1(ApiDocs::addFromS3WithAutoReindex)
                                  << QStringLiteral("s3://your-bucket/path/to/media/");
    QTest::newRow("cross-account role") << QString::fromLatin1(ApiDocs::crossAccountS3)
                                        << QStringLiteral("s3://external-bucket/images/");
}

void TestApiDocs::s3CommandsRejectedWithoutS3()
{
    QFETCH(QString, command);
    QFETCH(QString, uri);

    const QString name = QStringLiteral("s3-%1").arg(++m_nextDataset);
    QString datasetId;
    createDataset(name, 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    const CommandResult result = runDocCommand(command, datasetId);
    QVERIFY2(result.exitCode == 0, result.describe().constData());
    QCOMPARE(result.httpStatus, 400);
    QCOMPARE(result.detail(), invalidS3Detail(uri));

    // The worked example's poll command shows the dataset unchanged.
    const CommandResult poll = runDocCommand(QLatin1String(ApiDocs::workingExamplePoll), datasetId);
    QCOMPARE(poll.httpStatus, 200);
    const QJsonObject dataset = QJsonDocument::fromJson(poll.body).object();
    QCOMPARE(dataset.value(u"status_new").toString(), QStringLiteral("READY"));
    QCOMPARE(dataset.value(u"n_images").toInt(), 3);
}

void TestApiDocs::runPythonExample(const QString &datasetId, const QString &pollSeconds, PythonRun *run)
{
    QFile example(QStringLiteral(APIDOCS_PYTHON_EXAMPLE));
    QVERIFY2(example.open(QIODevice::ReadOnly), qPrintable(example.fileName()));
    QString script = QString::fromUtf8(example.readAll());
    const struct
    {
        QLatin1String placeholder;
        QString value;
    } replacements[] = {
        { QLatin1String(R"(VL_BASE_URL = "https://app.visual-layer.com")"),
          QStringLiteral(R"(VL_BASE_URL = "%1")").arg(m_baseUrl) },
        { QLatin1String(R"(JWT_TOKEN = "<your-jwt-token>")"),
          QStringLiteral(R"(JWT_TOKEN = "%1")").arg(QString::fromLatin1(m_token)) },
        { QLatin1String(R"(DATASET_ID = "<your-dataset-id>")"), QStringLiteral(R"(DATASET_ID = "%1")").arg(datasetId) },
        { QLatin1String("time.sleep(30)"), QStringLiteral("time.sleep(%1)").arg(pollSeconds) },
    };
    for (const auto &replacement : replacements) {
        QVERIFY2(script.contains(replacement.placeholder), replacement.placeholder.data());
        script.replace(replacement.placeholder, replacement.value);
    }
    const QString scriptPath = m_dir->filePath(QStringLiteral("add_media_example-%1.py").arg(datasetId));
    QVERIFY(writeFile(scriptPath, script.toUtf8()));

    QProcessEnvironment environment = childEnvironment();
    environment.insert(QStringLiteral("PYTHONIOENCODING"), QStringLiteral("utf-8"));
    QProcess python;
    python.setProgram(QLatin1String(python3Path));
    python.setArguments({ scriptPath });
    python.setProcessEnvironment(environment);
    python.start();
    QVERIFY2(python.waitForStarted(), qPrintable(python.errorString()));
    if (!python.waitForFinished(statusTimeoutMs)) {
        python.kill();
        python.waitForFinished();
        QFAIL("the Python example did not finish");
    }
    run->exitCode = python.exitStatus() == QProcess::NormalExit ? python.exitCode() : -1;
    run->lines = QString::fromUtf8(python.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    run->errorOutput = python.readAllStandardError();
}

void TestApiDocs::pythonExampleReportsS3Error()
{
    const QString name = QStringLiteral("python-example");
    QString datasetId;
    createDataset(name, 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    PythonRun run;
    runPythonExample(datasetId, QStringLiteral("30"), &run);
    if (QTest::currentTestFailed())
        return;

    // The example stops with exit code 1 after printing the server's 400.
    QVERIFY2(run.exitCode == 1, run.errorOutput.constData());
    QCOMPARE(run.lines.size(), 2);
    QCOMPARE(run.lines.at(0), QStringLiteral("Dataset: %1, Status: READY").arg(name));
    const QJsonObject error{ { QStringLiteral("detail"), invalidS3Detail(QLatin1String(pythonExampleS3Uri)) } };
    const QString body = QString::fromUtf8(QJsonDocument(error).toJson(QJsonDocument::Compact));
    QCOMPARE(run.lines.at(1), QStringLiteral("Error: 400 \u2014 %1").arg(body));
}

void TestApiDocs::s3CommandsAddFromS3rver_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("expectedStatus");
    QTest::addColumn<int>("addedImages");
    QTest::addColumn<int>("addedVideos");

    QTest::newRow("s3 folder") << QString::fromLatin1(ApiDocs::addFromS3) << QStringLiteral("PARTIAL INDEX")
                               << int(s3FolderPhotos) << 0;
    QTest::newRow("working example") << QString::fromLatin1(ApiDocs::workingExampleAdd)
                                     << QStringLiteral("PARTIAL INDEX") << 0 << 1;
    // s3://your-bucket/path/to/media/ lists the photos below folder/ as well.
    QTest::newRow("auto reindex") << QString::fromLatin1(ApiDocs::addFromS3WithAutoReindex) << QStringLiteral("READY")
                                  << int(s3FolderPhotos + s3MediaPhotos) << 0;
    QTest::newRow("cross-account role") << QString::fromLatin1(ApiDocs::crossAccountS3)
                                        << QStringLiteral("PARTIAL INDEX") << int(s3ExternalPhotos) << 0;
}

void TestApiDocs::s3CommandsAddFromS3rver()
{
    QFETCH(QString, command);
    QFETCH(QString, expectedStatus);
    QFETCH(int, addedImages);
    QFETCH(int, addedVideos);

    QString skipReason;
    startS3Backend(&skipReason);
    if (!skipReason.isEmpty())
        QSKIP(qPrintable(skipReason));
    if (QTest::currentTestFailed())
        return;
    const QString noS3BaseUrl = m_baseUrl;
    const auto restore = qScopeGuard([this, noS3BaseUrl] { m_baseUrl = noS3BaseUrl; });
    m_baseUrl = m_s3Server.baseUrl;

    QString datasetId;
    createDataset(QStringLiteral("s3rver-%1").arg(++m_nextDataset), 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    const CommandResult result = runDocCommand(command, datasetId);
    QVERIFY2(result.exitCode == 0, result.describe().constData());
    QVERIFY2(result.httpStatus == 202, result.describe().constData());
    QCOMPARE(result.body, QByteArray());

    QJsonObject dataset;
    waitForStatus(datasetId, expectedStatus, &dataset);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(dataset.value(u"n_images").toInt(), 3 + addedImages);
    QCOMPARE(dataset.value(u"n_videos").toInt(), addedVideos);

    const CommandResult poll = runDocCommand(QLatin1String(ApiDocs::workingExamplePoll), datasetId);
    QCOMPARE(poll.httpStatus, 200);
    QCOMPARE(QJsonDocument::fromJson(poll.body).object().value(u"status_new").toString(), expectedStatus);
}

void TestApiDocs::pythonExampleAddsFromS3()
{
    QString skipReason;
    startS3Backend(&skipReason);
    if (!skipReason.isEmpty())
        QSKIP(qPrintable(skipReason));
    if (QTest::currentTestFailed())
        return;
    const QString noS3BaseUrl = m_baseUrl;
    const auto restore = qScopeGuard([this, noS3BaseUrl] { m_baseUrl = noS3BaseUrl; });
    m_baseUrl = m_s3Server.baseUrl;

    const QString name = QStringLiteral("python-example-s3");
    QString datasetId;
    createDataset(name, 3, 0, &datasetId);
    if (QTest::currentTestFailed())
        return;

    // The example polls every 30 s; 1 s keeps the test short and changes nothing else.
    PythonRun run;
    runPythonExample(datasetId, QStringLiteral("1"), &run);
    if (QTest::currentTestFailed())
        return;

    QVERIFY2(run.exitCode == 0, qPrintable(run.lines.join(u'\n') + u'\n' + QString::fromUtf8(run.errorOutput)));
    QVERIFY2(run.lines.size() >= 3, qPrintable(run.lines.join(u'\n')));
    QCOMPARE(run.lines.at(0), QStringLiteral("Dataset: %1, Status: READY").arg(name));
    QCOMPARE(run.lines.at(1), QStringLiteral("Add media accepted \u2014 processing in background."));
    for (qsizetype i = 2; i + 1 < run.lines.size(); ++i) {
        const QString line = run.lines.at(i);
        QVERIFY2(line.startsWith(QLatin1String("  Status: ")), qPrintable(line));
    }
    QCOMPARE(run.lines.constLast(), QStringLiteral("Final status: PARTIAL INDEX"));

    // The example's URI, s3://your-bucket/path/to/media/, lists the photos below folder/ too.
    const QJsonObject dataset = fetchDataset(datasetId);
    QCOMPARE(dataset.value(u"status_new").toString(), QStringLiteral("PARTIAL INDEX"));
    QCOMPARE(dataset.value(u"n_images").toInt(), 3 + int(s3FolderPhotos + s3MediaPhotos));
}

void TestApiDocs::startS3Backend(QString *skipReason)
{
    if (m_s3Server.process)
        return;
    QString installError;
    if (!installS3rver(&installError)) {
        *skipReason = QStringLiteral("s3rver is not available: ") + installError;
        return;
    }
    startS3rver();
    if (QTest::currentTestFailed())
        return;

    // The buckets and folders that the guide's S3 URIs name, filled with photos that the
    // test's datasets (photos 0 to 2) do not have, and one video.
    const QStringList photos = jpegPhotos().mid(30, s3FolderPhotos + s3MediaPhotos + s3ExternalPhotos);
    QCOMPARE(photos.size(), s3FolderPhotos + s3MediaPhotos + s3ExternalPhotos);
    const QString videoDir = m_dir->filePath(QStringLiteral("s3-video"));
    writeUploadFiles(videoDir, 0);
    if (QTest::currentTestFailed())
        return;

    QList<std::pair<QString, QString>> objects; // key with its bucket, local file
    for (qsizetype i = 0; i < photos.size(); ++i) {
        const QString fileName = QFileInfo(photos.at(i)).fileName();
        QString key;
        if (i < s3FolderPhotos)
            key = QStringLiteral("your-bucket/path/to/media/folder/");
        else if (i < s3FolderPhotos + s3MediaPhotos)
            key = QStringLiteral("your-bucket/path/to/media/");
        else
            key = QStringLiteral("external-bucket/images/");
        objects.append({ key + fileName, photos.at(i) });
    }
    objects.append({ QStringLiteral("visual-layer/datasets/tiktok_users/amit46473/video.mp4"),
                     QDir(videoDir).filePath(QStringLiteral("video.mp4")) });

    for (const char *bucket : { "your-bucket", "external-bucket", "visual-layer" })
        QVERIFY2(s3Request({ QStringLiteral("-X"), QStringLiteral("PUT") }, QLatin1String(bucket)), bucket);
    for (const auto &[key, file] : objects)
        QVERIFY2(s3Request({ QStringLiteral("--upload-file"), file }, key), qPrintable(key));

    // A second server whose environment points at s3rver, with s3rver's built-in key pair.
    QProcessEnvironment s3Settings;
    s3Settings.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QLatin1String(s3rverKey));
    s3Settings.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QLatin1String(s3rverKey));
    s3Settings.insert(QStringLiteral("AWS_REGION"), QStringLiteral("us-east-1"));
    s3Settings.insert(QStringLiteral("ACCRETE_S3_ENDPOINT"), m_s3Endpoint);
    startServer(m_dir->filePath(QStringLiteral("data-s3")), s3Settings, &m_s3Server);
}

bool TestApiDocs::installS3rver(QString *error)
{
    const QString prefix = QStringLiteral(ACCRETE_S3RVER_PREFIX);
    m_s3rverScript = prefix + QStringLiteral("/node_modules/s3rver/bin/s3rver.js");
    if (QFileInfo::exists(m_s3rverScript))
        return true;
    const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
    if (npm.isEmpty() || QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty()) {
        *error = QStringLiteral("node or npm is not installed (Debian packages nodejs and npm)");
        return false;
    }
    if (!QDir().mkpath(prefix)) {
        *error = QStringLiteral("cannot create %1").arg(prefix);
        return false;
    }
    QProcess install;
    install.setProcessChannelMode(QProcess::MergedChannels);
    install.start(npm, { QStringLiteral("install"), QStringLiteral("--prefix"), prefix, QStringLiteral("--no-audit"),
                         QStringLiteral("--no-fund"), QStringLiteral("s3rver@" ACCRETE_S3RVER_VERSION) });
    const bool finished = install.waitForStarted() && install.waitForFinished(npmInstallTimeoutMs);
    if (!finished) {
        install.kill();
        install.waitForFinished();
    }
    if (!finished || install.exitCode() != 0 || !QFileInfo::exists(m_s3rverScript)) {
        *error = QStringLiteral("npm install s3rver@%1 into %2 failed: %3")
                     .arg(QStringLiteral(ACCRETE_S3RVER_VERSION), prefix,
                          QString::fromUtf8(install.readAll().right(600)));
        return false;
    }
    return true;
}

void TestApiDocs::startS3rver()
{
    m_s3rver = std::make_unique<QProcess>();
    m_s3rver->setProcessChannelMode(QProcess::MergedChannels);
    m_s3rver->setProcessEnvironment(childEnvironment());
    // Port 0: s3rver binds a free port and prints it. s3rver 3.7.1 encrypts its listing
    // continuation tokens with DES, which OpenSSL 3 offers only through its legacy provider.
    m_s3rver->start(QStandardPaths::findExecutable(QStringLiteral("node")),
                    { QStringLiteral("--openssl-legacy-provider"), m_s3rverScript, QStringLiteral("-d"),
                      m_dir->filePath(QStringLiteral("s3rver")), QStringLiteral("-a"), QStringLiteral("127.0.0.1"),
                      QStringLiteral("-p"), QStringLiteral("0"), QStringLiteral("--no-vhost-buckets") });
    QVERIFY2(m_s3rver->waitForStarted(), qPrintable(m_s3rver->errorString()));

    const QRegularExpression listening(QStringLiteral(R"(listening on 127\.0\.0\.1:(\d+))"));
    QByteArray output;
    QDeadlineTimer deadline(serverStartTimeoutMs);
    while (!deadline.hasExpired() && m_s3rver->state() == QProcess::Running) {
        m_s3rver->waitForReadyRead(500);
        output += m_s3rver->readAll();
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(output));
        if (match.hasMatch()) {
            m_s3Endpoint = QStringLiteral("http://127.0.0.1:%1").arg(match.captured(1));
            return;
        }
    }
    QFAIL(qPrintable(QStringLiteral("s3rver did not start: ") + QString::fromUtf8(output.right(600))));
}

bool TestApiDocs::s3Request(const QStringList &arguments, const QString &path) const
{
    QProcess curl;
    curl.setProcessEnvironment(childEnvironment());
    curl.start(QLatin1String(curlPath),
               QStringList{ QStringLiteral("--silent"), QStringLiteral("--show-error"), QStringLiteral("--fail"),
                            QStringLiteral("--noproxy"), QStringLiteral("*"), QStringLiteral("--aws-sigv4"),
                            QStringLiteral("aws:amz:us-east-1:s3"), QStringLiteral("--user"),
                            QStringLiteral("%1:%1").arg(QLatin1String(s3rverKey)), QStringLiteral("-H"),
                            QStringLiteral("x-amz-content-sha256: UNSIGNED-PAYLOAD") }
                   + arguments + QStringList{ m_s3Endpoint + u'/' + path });
    if (!curl.waitForStarted() || !curl.waitForFinished(commandTimeoutMs)) {
        curl.kill();
        curl.waitForFinished();
        return false;
    }
    if (curl.exitCode() != 0)
        qWarning("S3 request for %s failed: %s", qPrintable(path), curl.readAllStandardError().constData());
    return curl.exitStatus() == QProcess::NormalExit && curl.exitCode() == 0;
}

QTEST_GUILESS_MAIN(TestApiDocs)
#include "tst_apidocs.moc"
