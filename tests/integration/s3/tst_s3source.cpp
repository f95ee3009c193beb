// The S3 source and EmbeddedService::addMedia with an s3_uri, against s3rver (an S3-compatible
// server from the npm registry) started on 127.0.0.1 with a temporary data folder. Objects are
// real opencv-doc photos uploaded through s3rver's S3 API with curl --aws-sigv4.
//
// s3rver 3.7.1 checks the access key id but does not verify Signature Version 4 signatures,
// so a wrong access key id is what the credential test can detect here.

#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include "core/metatypes.h"
#include "pipeline/embeddedservice.h"
#include "pipeline/media/s3source.h"
#include "testsupport.h"

using namespace Accrete;

namespace {

constexpr int operationTimeoutMs = 180000;
constexpr int requestTimeoutMs = 90000;
constexpr int npmInstallTimeoutMs = 240000;
const QString bucket = QStringLiteral("photos");
const QString accessKey = QStringLiteral("S3RVER"); // s3rver's built-in key pair
const QString secretKey = QStringLiteral("S3RVER");

template<typename T>
T resultOf(QFuture<T> future)
{
    future.waitForFinished();
    return future.result();
}

// The statuses reported for `datasetId`, without repeats of the same status.
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

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Runs `program` and returns its exit code, or -1 when it did not finish within `timeoutMs`.
int runProcess(const QString &program, const QStringList &arguments, int timeoutMs,
               QByteArray *output = nullptr)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForStarted(10000))
        return -1;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        return -1;
    }
    if (output)
        *output = process.readAll();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

// Sets environment variables for one scope and restores them at its end.
class EnvironmentOverride
{
public:
    void set(const char *name, const QString &value)
    {
        remember(name);
        qputenv(name, value.toUtf8());
    }
    void unset(const char *name)
    {
        remember(name);
        qunsetenv(name);
    }
    ~EnvironmentOverride()
    {
        for (const auto &[name, value] : m_saved) {
            if (value)
                qputenv(name, *value);
            else
                qunsetenv(name);
        }
    }

private:
    void remember(const char *name)
    {
        m_saved.append({ name, qEnvironmentVariableIsSet(name) ? std::optional(qgetenv(name))
                                                                 : std::nullopt });
    }
    QList<QPair<const char *, std::optional<QByteArray>>> m_saved;
};

} // namespace

class S3SourceTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void listingFollowsContinuationTokens();
    void folderAddsEveryPhoto();
    void manifestAddsListedPhotos_data();
    void manifestAddsListedPhotos();
    void unreadableLocationRejectedUpFront_data();
    void unreadableLocationRejectedUpFront();
    void badCredentialsRejectedUpFront_data();
    void badCredentialsRejectedUpFront();
    void junkObjectRejectedOthersAdded();

private:
    // Installs s3rver into the build tree unless it is there; returns the reason on failure.
    QString installS3rver();
    bool startS3rver(QString *error);
    bool putObject(const QString &key, const QString &filePath);
    bool putBytes(const QString &key, const QByteArray &bytes);
    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }

    QString createReadyDataset(int count);
    bool waitForStatus(const QString &datasetId, DatasetStatus status);
    // Calls addMedia and waits for its future, which finishes on this thread's event loop.
    QFuture<AddMediaAccepted> addS3(const QString &datasetId, const QString &uri,
                                    const QString &assumeRole = QString());
    // The media items the service reported through mediaAdded for `datasetId`.
    QList<MediaItem> addedItems(const QSignalSpy &spy, const QString &datasetId) const;

    QString m_s3rverScript;
    std::unique_ptr<QTemporaryDir> m_s3Dir;
    std::unique_ptr<QProcess> m_s3rver;
    int m_port = 0;
    EnvironmentOverride m_environment;

    // Object keys by the photo they were uploaded from.
    QStringList m_batchKeys;   // batch/..., four photos
    QStringList m_mixedKeys;   // mixed/..., three photos (junk.jpg is extra)
    QStringList m_photos;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedService> m_service;
    std::unique_ptr<QSignalSpy> m_datasetSpy;
};

QString S3SourceTest::installS3rver()
{
    const QString prefix = QStringLiteral(ACCRETE_S3RVER_PREFIX);
    m_s3rverScript = prefix + QStringLiteral("/node_modules/s3rver/bin/s3rver.js");
    if (QFileInfo::exists(m_s3rverScript))
        return {};
    const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
    if (npm.isEmpty())
        return QStringLiteral("npm is not installed (Debian packages nodejs and npm)");
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty())
        return QStringLiteral("node is not installed (Debian package nodejs)");
    QDir().mkpath(prefix);
    QByteArray output;
    const int code = runProcess(
        npm,
        { QStringLiteral("install"), QStringLiteral("--prefix"), prefix, QStringLiteral("--no-audit"),
          QStringLiteral("--no-fund"), QStringLiteral("s3rver@" ACCRETE_S3RVER_VERSION) },
        npmInstallTimeoutMs, &output);
    if (code != 0 || !QFileInfo::exists(m_s3rverScript)) {
        return QStringLiteral("npm install s3rver@%1 into %2 failed (exit code %3): %4")
            .arg(QStringLiteral(ACCRETE_S3RVER_VERSION), prefix)
            .arg(code)
            .arg(QString::fromUtf8(output.right(600)));
    }
    return {};
}

bool S3SourceTest::startS3rver(QString *error)
{
    m_s3Dir = std::make_unique<QTemporaryDir>();
    m_s3rver = std::make_unique<QProcess>();
    m_s3rver->setProcessChannelMode(QProcess::MergedChannels);
    // Port 0: s3rver binds a free port and prints it. s3rver 3.7.1 encrypts its listing
    // continuation tokens with DES, which OpenSSL 3 offers only through its legacy provider.
    m_s3rver->start(QStandardPaths::findExecutable(QStringLiteral("node")),
                    { QStringLiteral("--openssl-legacy-provider"), m_s3rverScript, QStringLiteral("-d"), m_s3Dir->path(), QStringLiteral("-a"),
                      QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QStringLiteral("0"),
                      QStringLiteral("--no-vhost-buckets") });
    const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
    QByteArray output;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000 && m_s3rver->state() != QProcess::NotRunning) {
        m_s3rver->waitForReadyRead(500);
        output += m_s3rver->readAll();
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(output));
        if (match.hasMatch()) {
            m_port = match.captured(1).toInt();
            return true;
        }
    }
    *error = QStringLiteral("s3rver did not start: %1").arg(QString::fromUtf8(output.right(600)));
    return false;
}

bool S3SourceTest::putObject(const QString &key, const QString &filePath)
{
    const QString url = endpoint() + QLatin1Char('/') + bucket + QLatin1Char('/')
        + QString::fromLatin1(QUrl::toPercentEncoding(key, "/"));
    const int code = runProcess(
        QStringLiteral("curl"),
        { QStringLiteral("--silent"), QStringLiteral("--fail"), QStringLiteral("--noproxy"),
          QStringLiteral("*"), QStringLiteral("--aws-sigv4"), QStringLiteral("aws:amz:us-east-1:s3"),
          QStringLiteral("--user"), accessKey + QLatin1Char(':') + secretKey, QStringLiteral("-H"),
          QStringLiteral("x-amz-content-sha256: UNSIGNED-PAYLOAD"), QStringLiteral("--upload-file"),
          filePath, url },
        60000);
    return code == 0;
}

bool S3SourceTest::putBytes(const QString &key, const QByteArray &bytes)
{
    const QString path = m_dir->filePath(QStringLiteral("upload.bin"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return false;
    file.close();
    return putObject(key, path);
}

void S3SourceTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
    m_photos = TestSupport::opencvPhotos();
    QVERIFY2(m_photos.size() >= 12,
             "the opencv-doc package (photos under /usr/share/doc/opencv-doc) is missing");
    QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty(),
             "curl is missing (Debian package curl)");

    const QString installError = installS3rver();
    if (!installError.isEmpty())
        QSKIP(qPrintable(QStringLiteral("s3rver is not available: ") + installError));
    QString startError;
    QVERIFY2(startS3rver(&startError), qPrintable(startError));

    m_environment.set("AWS_ACCESS_KEY_ID", accessKey);
    m_environment.set("AWS_SECRET_ACCESS_KEY", secretKey);
    m_environment.set("AWS_REGION", QStringLiteral("us-east-1"));
    m_environment.set("ACCRETE_S3_ENDPOINT", endpoint());
    m_environment.unset("AWS_SESSION_TOKEN");
    m_environment.unset("AWS_ENDPOINT_URL_S3");
    m_environment.unset("AWS_ENDPOINT_URL");

    // The bucket and its objects, uploaded through the S3 API.
    m_dir = std::make_unique<QTemporaryDir>();
    QCOMPARE(runProcess(QStringLiteral("curl"),
                        { QStringLiteral("--silent"), QStringLiteral("--fail"),
                          QStringLiteral("--noproxy"), QStringLiteral("*"),
                          QStringLiteral("--aws-sigv4"), QStringLiteral("aws:amz:us-east-1:s3"),
                          QStringLiteral("--user"), accessKey + QLatin1Char(':') + secretKey,
                          QStringLiteral("-H"), QStringLiteral("x-amz-content-sha256: UNSIGNED-PAYLOAD"),
                          QStringLiteral("-X"), QStringLiteral("PUT"),
                          endpoint() + QLatin1Char('/') + bucket },
                        30000),
             0);
    m_batchKeys = { QStringLiteral("batch/%1").arg(QFileInfo(m_photos.at(4)).fileName()),
                    QStringLiteral("batch/%1").arg(QFileInfo(m_photos.at(5)).fileName()),
                    QStringLiteral("batch/sub folder/%1").arg(QFileInfo(m_photos.at(6)).fileName()),
                    QStringLiteral("batch/sub folder/%1").arg(QFileInfo(m_photos.at(7)).fileName()) };
    for (int i = 0; i < m_batchKeys.size(); ++i)
        QVERIFY2(putObject(m_batchKeys.at(i), m_photos.at(4 + i)), qPrintable(m_batchKeys.at(i)));
    m_mixedKeys = { QStringLiteral("mixed/%1").arg(QFileInfo(m_photos.at(8)).fileName()),
                    QStringLiteral("mixed/%1").arg(QFileInfo(m_photos.at(9)).fileName()),
                    QStringLiteral("mixed/%1").arg(QFileInfo(m_photos.at(10)).fileName()) };
    for (int i = 0; i < m_mixedKeys.size(); ++i)
        QVERIFY2(putObject(m_mixedKeys.at(i), m_photos.at(8 + i)), qPrintable(m_mixedKeys.at(i)));
    QByteArray junk;
    for (int i = 0; i < 5000; ++i)
        junk.append(char((i * 7919 + 13) % 251));
    QVERIFY(putBytes(QStringLiteral("mixed/junk.jpg"), junk));

    // Manifests: a full URI, a key and a comment line; a CSV with a named column.
    const QByteArray text = "# photos to add\n" + QStringLiteral("s3://photos/%1\n").arg(m_batchKeys.at(0)).toUtf8()
        + "\n" + m_mixedKeys.at(1).toUtf8() + "\n";
    QVERIFY(putBytes(QStringLiteral("lists/photos.txt"), text));
    const QByteArray csv = "label,s3_uri\n" + QStringLiteral("\"cat, dog\",s3://photos/%1\n")
                                                   .arg(m_batchKeys.at(2))
                                                   .toUtf8()
        + QStringLiteral("other,s3://photos/%1\n").arg(m_mixedKeys.at(2)).toUtf8();
    QVERIFY(putBytes(QStringLiteral("lists/photos.csv"), csv));
    QVERIFY(putBytes(QStringLiteral("lists/photos.parquet"), QByteArrayLiteral("PAR1")));
}

void S3SourceTest::cleanupTestCase()
{
    if (m_s3rver) {
        m_s3rver->kill();
        m_s3rver->waitForFinished(5000);
    }
}

void S3SourceTest::init()
{
    m_service = std::make_unique<EmbeddedService>(m_dir->filePath(QStringLiteral("data")));
    m_datasetSpy = std::make_unique<QSignalSpy>(m_service.get(), &DatasetService::datasetChanged);
    QVERIFY(m_datasetSpy->isValid());
}

void S3SourceTest::cleanup()
{
    m_datasetSpy.reset();
    m_service.reset();
}

bool S3SourceTest::waitForStatus(const QString &datasetId, DatasetStatus status)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < operationTimeoutMs) {
        const QList<DatasetStatus> sequence = statusSequence(*m_datasetSpy, datasetId);
        if (!sequence.isEmpty() && sequence.last() == status)
            return true;
        QTest::qWait(50);
    }
    return false;
}

QString S3SourceTest::createReadyDataset(int count)
{
    const QString folder = m_dir->filePath(QStringLiteral("local-%1").arg(QUuid::createUuid().toString(QUuid::Id128)));
    if (TestSupport::copyPhotos(folder, count).size() != count)
        return QString();
    CreateDatasetRequest request;
    request.name = QStringLiteral("photos");
    request.path = folder;
    const DatasetInfo created = resultOf(m_service->createDataset(request));
    if (!waitForStatus(created.id, DatasetStatus::Ready))
        return QString();
    return created.id;
}

QFuture<AddMediaAccepted> S3SourceTest::addS3(const QString &datasetId, const QString &uri,
                                              const QString &assumeRole)
{
    AddMediaRequest request;
    request.s3Uri = uri;
    request.assumeRole = assumeRole;
    QFuture<AddMediaAccepted> future = m_service->addMedia(datasetId, request);
    QElapsedTimer timer;
    timer.start();
    while (!future.isFinished() && timer.elapsed() < requestTimeoutMs)
        QTest::qWait(20);
    return future;
}

QList<MediaItem> S3SourceTest::addedItems(const QSignalSpy &spy, const QString &datasetId) const
{
    QList<MediaItem> items;
    for (const QList<QVariant> &arguments : spy) {
        if (arguments.at(0).toString() == datasetId)
            items += arguments.at(1).value<QList<MediaItem>>();
    }
    return items;
}

void S3SourceTest::listingFollowsContinuationTokens()
{
    S3Config config = S3Config::fromEnvironment();
    config.maxKeysPerPage = 1; // one object per ListObjectsV2 page
    const auto source = openS3Source(QStringLiteral("s3://photos/batch/"), config, SourceLimits());

    QStringList keys;
    SourceEntry entry;
    while (source->next(&entry)) {
        QCOMPARE(entry.origin, QStringLiteral("s3"));
        QVERIFY(entry.rejectionReason.isEmpty());
        QCOMPARE(entry.originPath, QStringLiteral("s3://photos/batch/") + entry.relativePath);
        const qsizetype index = m_batchKeys.indexOf(QStringLiteral("batch/") + entry.relativePath);
        QVERIFY2(index >= 0, qPrintable(entry.relativePath));

        // The object arrives in small reads, byte for byte the uploaded photo.
        const QByteArray expected = readFile(m_photos.at(4 + index));
        QCOMPARE(entry.size, qint64(expected.size()));
        QByteArray received;
        char chunk[4096];
        qint64 count = 0;
        while ((count = source->read(chunk, sizeof chunk)) > 0)
            received.append(chunk, count);
        QCOMPARE(count, qint64(0));
        QCOMPARE(received.size(), expected.size());
        QVERIFY(received == expected);
        keys.append(entry.relativePath);
    }
    QCOMPARE(source->errorString(), QString());
    QCOMPARE(keys.size(), m_batchKeys.size());
}

void S3SourceTest::folderAddsEveryPhoto()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    QSignalSpy addedSpy(m_service.get(), &DatasetService::mediaAdded);
    QVERIFY(addedSpy.isValid());
    m_datasetSpy->clear();

    QFuture<AddMediaAccepted> future = addS3(id, QStringLiteral("s3://photos/batch/"));
    QVERIFY(future.isFinished());
    const AddMediaAccepted accepted = future.result();
    QCOMPARE(accepted.datasetId, id);

    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));
    const QList<DatasetStatus> expected{ DatasetStatus::ReadOnly, DatasetStatus::PartialIndex };
    QCOMPARE(statusSequence(*m_datasetSpy, id), expected);

    const QList<MediaItem> added = addedItems(addedSpy, id);
    QCOMPARE(added.size(), m_batchKeys.size());
    QStringList originPaths;
    for (const MediaItem &item : added) {
        QCOMPARE(item.origin, QStringLiteral("s3"));
        QCOMPARE(item.originPath, QStringLiteral("s3://photos/batch/") + item.relativePath);
        QVERIFY(QFileInfo::exists(item.mediaUri));
        originPaths.append(item.originPath);
    }
    originPaths.sort();
    QStringList expectedPaths;
    for (const QString &key : std::as_const(m_batchKeys))
        expectedPaths.append(QStringLiteral("s3://photos/") + key);
    expectedPaths.sort();
    QCOMPARE(originPaths, expectedPaths);

    const TaskInfo task = resultOf(m_service->task(accepted.taskId));
    QCOMPARE(task.status, TaskStatus::Completed);
    QCOMPARE(task.result.addedImages, m_batchKeys.size());
    QVERIFY(task.result.rejected.isEmpty());
    QCOMPARE(resultOf(m_service->dataset(id)).nImages, 2 + m_batchKeys.size());
}

void S3SourceTest::manifestAddsListedPhotos_data()
{
    QTest::addColumn<QString>("manifest");
    QTest::addColumn<QStringList>("expectedOrigins");
    QTest::newRow("txt with a URI and a key")
        << QStringLiteral("s3://photos/lists/photos.txt")
        << QStringList{ QStringLiteral("s3://photos/") + m_batchKeys.value(0),
                        QStringLiteral("s3://photos/") + m_mixedKeys.value(1) };
    QTest::newRow("csv with an s3_uri column")
        << QStringLiteral("s3://photos/lists/photos.csv")
        << QStringList{ QStringLiteral("s3://photos/") + m_batchKeys.value(2),
                        QStringLiteral("s3://photos/") + m_mixedKeys.value(2) };
}

void S3SourceTest::manifestAddsListedPhotos()
{
    QFETCH(QString, manifest);
    QFETCH(QStringList, expectedOrigins);

    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    QSignalSpy addedSpy(m_service.get(), &DatasetService::mediaAdded);
    QVERIFY(addedSpy.isValid());
    m_datasetSpy->clear();

    QFuture<AddMediaAccepted> future = addS3(id, manifest);
    QVERIFY(future.isFinished());
    const AddMediaAccepted accepted = future.result();
    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));

    QStringList origins;
    for (const MediaItem &item : addedItems(addedSpy, id)) {
        QCOMPARE(item.origin, QStringLiteral("s3"));
        origins.append(item.originPath);
    }
    origins.sort();
    expectedOrigins.sort();
    QCOMPARE(origins, expectedOrigins);
    const TaskInfo task = resultOf(m_service->task(accepted.taskId));
    QCOMPARE(task.status, TaskStatus::Completed);
    QVERIFY(task.result.rejected.isEmpty());
}

void S3SourceTest::unreadableLocationRejectedUpFront_data()
{
    QTest::addColumn<QString>("uri");
    QTest::newRow("missing prefix") << QStringLiteral("s3://photos/no-such-folder/");
    QTest::newRow("missing bucket") << QStringLiteral("s3://no-such-bucket/batch/");
    QTest::newRow("missing manifest") << QStringLiteral("s3://photos/lists/missing.txt");
    QTest::newRow("parquet manifest") << QStringLiteral("s3://photos/lists/photos.parquet");
}

void S3SourceTest::unreadableLocationRejectedUpFront()
{
    QFETCH(QString, uri);

    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    m_datasetSpy->clear();

    QFuture<AddMediaAccepted> future = addS3(id, uri);
    QVERIFY(future.isFinished());
    std::optional<ServiceError> failure;
    try {
        future.waitForFinished();
    } catch (const ServiceError &error) {
        failure = error;
    }
    QVERIFY(failure);
    QCOMPARE(failure->code(), 400);
    QCOMPARE(failure->detail(), QStringLiteral("Invalid S3 URI or no media files found at ") + uri);

    // Rejected before any task: the dataset never left READY.
    QCOMPARE(resultOf(m_service->dataset(id)).status, DatasetStatus::Ready);
    QVERIFY(statusSequence(*m_datasetSpy, id).isEmpty());
}

void S3SourceTest::badCredentialsRejectedUpFront_data()
{
    QTest::addColumn<QString>("accessKeyId");
    QTest::addColumn<QString>("endpointOverride");

    // A port that was free a moment ago: nothing listens there.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const QString closed = QStringLiteral("http://127.0.0.1:%1").arg(probe.serverPort());
    probe.close();

    QTest::newRow("wrong access key id") << QStringLiteral("WRONGKEY") << QString();
    QTest::newRow("missing credentials") << QString() << QString();
    QTest::newRow("unreachable endpoint") << accessKey << closed;
}

void S3SourceTest::badCredentialsRejectedUpFront()
{
    QFETCH(QString, accessKeyId);
    QFETCH(QString, endpointOverride);

    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());

    EnvironmentOverride environment;
    if (accessKeyId.isEmpty())
        environment.unset("AWS_ACCESS_KEY_ID");
    else
        environment.set("AWS_ACCESS_KEY_ID", accessKeyId);
    if (!endpointOverride.isEmpty())
        environment.set("ACCRETE_S3_ENDPOINT", endpointOverride);

    const QString uri = QStringLiteral("s3://photos/batch/");
    QFuture<AddMediaAccepted> future = addS3(id, uri);
    QVERIFY(future.isFinished());
    std::optional<ServiceError> failure;
    try {
        future.waitForFinished();
    } catch (const ServiceError &error) {
        failure = error;
    }
    QVERIFY(failure);
    QCOMPARE(failure->code(), 400);
    QCOMPARE(failure->detail(), QStringLiteral("Invalid S3 URI or no media files found at ") + uri);
    QCOMPARE(resultOf(m_service->dataset(id)).status, DatasetStatus::Ready);
}

void S3SourceTest::junkObjectRejectedOthersAdded()
{
    const QString id = createReadyDataset(2);
    QVERIFY(!id.isEmpty());
    QSignalSpy addedSpy(m_service.get(), &DatasetService::mediaAdded);
    QVERIFY(addedSpy.isValid());
    m_datasetSpy->clear();

    // assume_role is accepted and ignored: the environment's credentials read the folder.
    QFuture<AddMediaAccepted> future
        = addS3(id, QStringLiteral("s3://photos/mixed/"),
                QStringLiteral("arn:aws:iam::123456789012:role/AccreteRead"));
    QVERIFY(future.isFinished());
    const AddMediaAccepted accepted = future.result();
    QVERIFY(waitForStatus(id, DatasetStatus::PartialIndex));

    QCOMPARE(addedItems(addedSpy, id).size(), m_mixedKeys.size());
    const TaskInfo task = resultOf(m_service->task(accepted.taskId));
    QCOMPARE(task.status, TaskStatus::Completed);
    QCOMPARE(task.result.addedImages, m_mixedKeys.size());
    QCOMPARE(task.result.rejected.size(), 1);
    QCOMPARE(task.result.rejected.first().path, QStringLiteral("junk.jpg"));
    QVERIFY2(task.result.rejected.first().reason.contains(QLatin1String("not an image or video")),
             qPrintable(task.result.rejected.first().reason));
}

QTEST_MAIN(S3SourceTest)
#include "tst_s3source.moc"
