// Runs accrete-cli with QProcess against the embedded backend in a QTemporaryDir, with real
// opencv-doc photos and archives written at test time.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTcpServer>
#include <QTest>

#include "core/serviceerror.h"
#include "core/statusmachine.h"
#include "testsupport.h"

using namespace Accrete;

namespace {

// Generous, because the whole suite shares two cores: indexing a few photos normally takes
// seconds.
constexpr int cliTimeoutMilliseconds = 5 * 60 * 1000;

// The exit codes documented in `accrete-cli --help`.
constexpr int exitOk = 0;
constexpr int exitUsageError = 1;
constexpr int exitBadRequest = 2;
constexpr int exitNotFound = 3;
constexpr int exitConflict = 4;
constexpr int exitConnectionFailed = 7;

// A loopback port that nothing listens on right now.
quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

CliResult runCli(const QString &dataDir, const QStringList &arguments)
{
    QProcess process;
    process.setProgram(QStringLiteral(ACCRETE_CLI_PATH));
    process.setArguments(QStringList{ QStringLiteral("--data-dir"), dataDir } + arguments);
    process.start();
    CliResult result;
    if (!process.waitForStarted() || !process.waitForFinished(cliTimeoutMilliseconds)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("accrete-cli did not finish: %1").arg(process.errorString());
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString describe(const CliResult &result)
{
    return QStringLiteral("exit code %1\nstdout:\n%2\nstderr:\n%3")
        .arg(result.exitCode)
        .arg(result.out, result.err);
}

// Statuses of the transition lines ("<time>  <STATUS>  <progress>%"), in printed order.
QStringList transitions(const QString &output)
{
    static const QRegularExpression line(QStringLiteral(
        R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*\s+(DRAFT|INDEXING|READ ONLY|PARTIAL INDEX|READY|ERROR)\s+\d+%\s*$)"),
        QRegularExpression::MultilineOption);
    QStringList statuses;
    auto it = line.globalMatch(output);
    while (it.hasNext())
        statuses.append(it.next().captured(1));
    return statuses;
}

QJsonObject parseObject(const QString &text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return {};
    return document.object();
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT

private:
    // Creates a dataset from `count` copied photos and returns its id (empty on failure).
    QString createDataset(const QString &dataDir, int count, int offset = 0);
    QString datasetStatus(const QString &dataDir, const QString &datasetId);

private Q_SLOTS:
    void initTestCase();

    void cliLinksNoQtWidgets();
    void helpListsExitCodes();
    void unknownCommandIsUsageError();

    void createFromFolderReachesReady();
    void statusJsonHasApiFields();
    void addMediaArchiveReachesPartialIndex();
    void addMediaReportsRejectedFiles();
    void addMediaCountsReadInSingular();
    void controlCharactersEscapedInText();
    void reindexReturnsToReady();
    void reindexWhenReadyIsConflict();
    void addMediaWithTwoSourcesIsBadRequest();
    void unknownDatasetIsNotFound_data();
    void unknownDatasetIsNotFound();

    void serveHelpNamesCommand();
    void serverBackendReachesServe();
    void unreachableServerIsConnectionFailure();
};

QString TestCli::createDataset(const QString &dataDir, int count, int offset)
{
    const QString photoDir = dataDir + QStringLiteral("-photos-%1").arg(offset);
    if (TestSupport::copyPhotos(photoDir, count, offset).size() != count)
        return {};
    const CliResult result = runCli(dataDir, { QStringLiteral("create"), QStringLiteral("-n"),
                                               QStringLiteral("Photos"), QStringLiteral("-p"),
                                               photoDir, QStringLiteral("--wait"),
                                               QStringLiteral("--json") });
    if (result.exitCode != exitOk) {
        qWarning().noquote() << "create failed:" << describe(result);
        return {};
    }
    return parseObject(result.out).value(QStringLiteral("id")).toString();
}

QString TestCli::datasetStatus(const QString &dataDir, const QString &datasetId)
{
    const CliResult result = runCli(dataDir, { QStringLiteral("status"), QStringLiteral("-d"),
                                               datasetId, QStringLiteral("--json") });
    return parseObject(result.out).value(QStringLiteral("status_new")).toString();
}

void TestCli::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(QFileInfo(QStringLiteral(ACCRETE_CLI_PATH)).isExecutable(), ACCRETE_CLI_PATH);
    QVERIFY2(TestSupport::opencvPhotos().size() >= 20,
             "the opencv-doc package (photos under /usr/share/doc/opencv-doc) is missing");
}

void TestCli::cliLinksNoQtWidgets()
{
    QProcess ldd;
    ldd.start(QStringLiteral("ldd"), { QStringLiteral(ACCRETE_CLI_PATH) });
    QVERIFY(ldd.waitForFinished(60000));
    QCOMPARE(ldd.exitCode(), 0);
    const QString libraries = QString::fromUtf8(ldd.readAllStandardOutput());

    // The positive check proves that ldd listed Qt libraries at all.
    QVERIFY2(libraries.contains(QLatin1String("libQt6Core")), qPrintable(libraries));
    QVERIFY2(!libraries.contains(QLatin1String("libQt6Widgets")), qPrintable(libraries));
}

void TestCli::helpListsExitCodes()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const CliResult result = runCli(dataDir.path(), { QStringLiteral("--help") });

    QCOMPARE(result.exitCode, exitOk);
    QVERIFY2(result.out.contains(QLatin1String("Exit codes:")), qPrintable(result.out));
    QVERIFY2(result.out.contains(QLatin1String("add-media")), qPrintable(result.out));
}

void TestCli::unknownCommandIsUsageError()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const CliResult result = runCli(dataDir.path(), { QStringLiteral("frobnicate") });

    QCOMPARE(result.exitCode, exitUsageError);
    QVERIFY2(result.err.contains(QLatin1String("frobnicate")), qPrintable(result.err));
}

void TestCli::createFromFolderReachesReady()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString photoDir = dataDir.filePath(QStringLiteral("photos"));
    QCOMPARE(TestSupport::copyPhotos(photoDir, 6).size(), 6);
    const QString data = dataDir.filePath(QStringLiteral("data"));

    const CliResult created = runCli(data, { QStringLiteral("create"), QStringLiteral("-n"),
                                             QStringLiteral("Six photos"), QStringLiteral("-p"),
                                             photoDir, QStringLiteral("--wait") });
    QVERIFY2(created.exitCode == exitOk, qPrintable(describe(created)));
    const QStringList statuses = transitions(created.out);
    QVERIFY2(!statuses.isEmpty(), qPrintable(describe(created)));
    QCOMPARE(statuses.constLast(), QStringLiteral("READY"));

    const CliResult listed = runCli(data, { QStringLiteral("datasets"), QStringLiteral("--json") });
    QVERIFY2(listed.exitCode == exitOk, qPrintable(describe(listed)));
    const QJsonArray datasets = QJsonDocument::fromJson(listed.out.toUtf8()).array();
    QCOMPARE(datasets.size(), 1);
    const QString id = datasets.at(0).toObject().value(QStringLiteral("id")).toString();
    QVERIFY(!id.isEmpty());

    const CliResult status = runCli(data, { QStringLiteral("status"), QStringLiteral("-d"), id,
                                            QStringLiteral("--json") });
    QVERIFY2(status.exitCode == exitOk, qPrintable(describe(status)));
    const QJsonObject dataset = parseObject(status.out);
    QCOMPARE(dataset.value(QStringLiteral("status_new")).toString(), QStringLiteral("READY"));
    QCOMPARE(dataset.value(QStringLiteral("n_images")).toInt(), 6);
    QCOMPARE(dataset.value(QStringLiteral("display_name")).toString(), QStringLiteral("Six photos"));
}

void TestCli::statusJsonHasApiFields()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString data = dataDir.filePath(QStringLiteral("data"));
    const QString id = createDataset(data, 3);
    QVERIFY(!id.isEmpty());

    const CliResult status = runCli(data, { QStringLiteral("status"), QStringLiteral("-d"), id,
                                            QStringLiteral("--json") });
    QVERIFY2(status.exitCode == exitOk, qPrintable(describe(status)));
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(status.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QVERIFY(document.isObject());
    const QJsonObject dataset = document.object();

    QCOMPARE(dataset.value(QStringLiteral("id")).toString(), id);
    QVERIFY(dataset.value(QStringLiteral("display_name")).isString());
    QVERIFY(dataset.value(QStringLiteral("status_new")).isString());
    QVERIFY(dataset.value(QStringLiteral("progress")).isDouble());
    QCOMPARE(dataset.value(QStringLiteral("n_images")).toInt(-1), 3);
    QCOMPARE(dataset.value(QStringLiteral("n_videos")).toInt(-1), 0);
}

void TestCli::addMediaArchiveReachesPartialIndex()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString data = dataDir.filePath(QStringLiteral("data"));
    const QString id = createDataset(data, 4);
    QVERIFY(!id.isEmpty());
    const QString archive = TestSupport::makePhotoArchive(
        dataDir.filePath(QStringLiteral("batch.tar.gz")), TestSupport::ArchiveFormat::TarGz, 5, 10);
    QVERIFY(!archive.isEmpty());

    const CliResult added = runCli(data, { QStringLiteral("add-media"), QStringLiteral("-d"), id,
                                           QStringLiteral("-p"), archive, QStringLiteral("--wait") });
    QVERIFY2(added.exitCode == exitOk, qPrintable(describe(added)));
    const QStringList expected{ QStringLiteral("READY"), QStringLiteral("READ ONLY"),
                                QStringLiteral("PARTIAL INDEX") };
    QCOMPARE(transitions(added.out), expected);
    QVERIFY2(added.out.contains(QLatin1String("5 images and 0 videos added")),
             qPrintable(describe(added)));

    QCOMPARE(datasetStatus(data, id), QStringLiteral("PARTIAL INDEX"));
}

void TestCli::addMediaReportsRejectedFiles()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString data = dataDir.filePath(QStringLiteral("data"));
    const QString id = createDataset(data, 4);
    QVERIFY(!id.isEmpty());

    const QStringList photos = TestSupport::opencvPhotos();
    QString error;
    const QString archive = dataDir.filePath(QStringLiteral("mixed.zip"));
    QVERIFY2(TestSupport::writeArchive(
                 archive, TestSupport::ArchiveFormat::Zip,
                 { { QStringLiteral("good/first.jpg"), {}, photos.at(12) },
                   { QStringLiteral("good/second.jpg"), {}, photos.at(13) },
                   { QStringLiteral("bad/not-an-image.jpg"), QByteArray("plain text, not a JPEG"), {} } },
                 &error),
             qPrintable(error));

    const CliResult added = runCli(data, { QStringLiteral("add-media"), QStringLiteral("-d"), id,
                                           QStringLiteral("--archive"), archive,
                                           QStringLiteral("--json") });
    QVERIFY2(added.exitCode == exitOk, qPrintable(describe(added)));
    const QJsonObject task = parseObject(added.out).value(QStringLiteral("task")).toObject();
    const QJsonObject result = task.value(QStringLiteral("result")).toObject();
    QCOMPARE(result.value(QStringLiteral("added_images")).toInt(), 2);
    const QJsonArray rejected = result.value(QStringLiteral("rejected")).toArray();
    QCOMPARE(rejected.size(), 1);
    QVERIFY2(rejected.at(0).toObject().value(QStringLiteral("path")).toString().contains(
                 QLatin1String("not-an-image.jpg")),
             qPrintable(added.out));
    QVERIFY(!rejected.at(0).toObject().value(QStringLiteral("reason")).toString().isEmpty());
    // Status changes go to stderr in JSON mode, so stdout stays one JSON document.
    QVERIFY2(transitions(added.err).contains(QStringLiteral("PARTIAL INDEX")), qPrintable(added.err));
}

void TestCli::addMediaCountsReadInSingular()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString data = dataDir.filePath(QStringLiteral("data"));
    const QString id = createDataset(data, 4);
    QVERIFY(!id.isEmpty());

    // One new photo and one text file under an image name.
    const QStringList photos = TestSupport::opencvPhotos();
    const QString batch = dataDir.filePath(QStringLiteral("batch"));
    QVERIFY(QDir().mkpath(batch));
    QVERIFY(QFile::copy(photos.at(12), batch + QStringLiteral("/new.jpg")));
    QFile junk(batch + QStringLiteral("/not-an-image.jpg"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    QVERIFY(junk.write("plain text, not a JPEG") > 0);
    junk.close();

    const CliResult added = runCli(data, { QStringLiteral("add-media"), QStringLiteral("-d"), id,
                                           QStringLiteral("-p"), batch, QStringLiteral("--wait") });
    QVERIFY2(added.exitCode == exitOk, qPrintable(describe(added)));
    QVERIFY2(added.out.contains(QLatin1String(
                 "1 image and 0 videos added, 0 duplicates skipped, 1 file rejected.")),
             qPrintable(describe(added)));
}

void TestCli::controlCharactersEscapedInText()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString data = dataDir.filePath(QStringLiteral("data"));
    const QString id = createDataset(data, 4);
    QVERIFY(!id.isEmpty());

    const QString batch = dataDir.filePath(QStringLiteral("batch"));
    QVERIFY(QDir().mkpath(batch));
    const QString photoName = QStringLiteral("new\nline.jpg");
    QVERIFY(QFile::copy(TestSupport::opencvPhotos().at(12), batch + QLatin1Char('/') + photoName));
    QFile junk(batch + QStringLiteral("/tab\tand\x01-byte.jpg"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    QVERIFY(junk.write("plain text, not a JPEG") > 0);
    junk.close();

    const CliResult added = runCli(data, { QStringLiteral("add-media"), QStringLiteral("-d"), id,
                                           QStringLiteral("-p"), batch, QStringLiteral("--wait") });
    QVERIFY2(added.exitCode == exitOk, qPrintable(describe(added)));
    QVERIFY2(added.out.contains(QLatin1String("tab\\tand\\x01-byte.jpg: ")),
             qPrintable(describe(added)));

    const CliResult listed = runCli(data, { QStringLiteral("media"), QStringLiteral("-d"), id });
    QCOMPARE(listed.exitCode, exitOk);
    QVERIFY2(listed.out.contains(QLatin1String("new\\nline.jpg")), qPrintable(describe(listed)));
    QVERIFY2(!listed.out.contains(photoName), qPrintable(describe(listed)));

    // JSON output keeps the name as it is.
    const CliResult json = runCli(data, { QStringLiteral("media"), QStringLiteral("-d"), id,
                                          QStringLiteral("--json") });
    QCOMPARE(json.exitCode, exitOk);
    QStringList names;
    for (const QJsonValue item : parseObject(json.out).value(QStringLiteral("items")).toArray())
        names.append(item.toObject().value(QStringLiteral("file_name")).toString());
    QVERIFY2(names.contains(photoName), qPrintable(names.join(QLatin1Char('|'))));
}

void TestCli::reindexReturnsToReady()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString data = dataDir.filePath(QStringLiteral("data"));
    const QString id = createDataset(data, 4);
    QVERIFY(!id.isEmpty());
    const QString archive = TestSupport::makePhotoArchive(
        dataDir.filePath(QStringLiteral("batch.zip")), TestSupport::ArchiveFormat::Zip, 3, 20);
    QVERIFY(!archive.isEmpty());
    const CliResult added = runCli(data, { QStringLiteral("add-media"), QStringLiteral("-d"), id,
                                           QStringLiteral("--archive"), archive, QStringLiteral("--wait") });
    QVERIFY2(added.exitCode == exitOk, qPrintable(describe(added)));

    const CliResult reindexed = runCli(data, { QStringLiteral("reindex"), QStringLiteral("-d"), id,
                                               QStringLiteral("--wait") });
    QVERIFY2(reindexed.exitCode == exitOk, qPrintable(describe(reindexed)));
    const QStringList statuses = transitions(reindexed.out);
    QVERIFY2(statuses.size() >= 3, qPrintable(describe(reindexed)));
    QCOMPARE(statuses.constFirst(), QStringLiteral("PARTIAL INDEX"));
    QVERIFY2(statuses.contains(QStringLiteral("INDEXING")), qPrintable(describe(reindexed)));
    QCOMPARE(statuses.constLast(), QStringLiteral("READY"));

    const CliResult status = runCli(data, { QStringLiteral("status"), QStringLiteral("-d"), id,
                                            QStringLiteral("--json") });
    const QJsonObject dataset = parseObject(status.out);
    QCOMPARE(dataset.value(QStringLiteral("status_new")).toString(), QStringLiteral("READY"));
    QCOMPARE(dataset.value(QStringLiteral("n_images")).toInt(), 7);
    QCOMPARE(dataset.value(QStringLiteral("n_pending_items")).toInt(), 0);
}

void TestCli::reindexWhenReadyIsConflict()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString data = dataDir.filePath(QStringLiteral("data"));
    const QString id = createDataset(data, 3);
    QVERIFY(!id.isEmpty());

    const CliResult result = runCli(data, { QStringLiteral("reindex"), QStringLiteral("-d"), id });
    QCOMPARE(result.exitCode, exitConflict);

    DatasetState ready;
    ready.datasetId = id;
    ready.status = DatasetStatus::Ready;
    ready.hasEmbeddingConfig = true;
    const auto rejection = StatusMachine::checkOperation(DatasetOperation::Reindex, ready);
    QVERIFY(rejection.has_value());
    const QString expected = QStringLiteral("error 409: %1").arg(rejection->detail());
    QVERIFY2(result.err.contains(expected), qPrintable(describe(result)));
    QCOMPARE(datasetStatus(data, id), QStringLiteral("READY"));
}

void TestCli::addMediaWithTwoSourcesIsBadRequest()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString photoDir = dataDir.filePath(QStringLiteral("photos"));
    QCOMPARE(TestSupport::copyPhotos(photoDir, 2).size(), 2);
    const QString archive = TestSupport::makePhotoArchive(
        dataDir.filePath(QStringLiteral("batch.tar")), TestSupport::ArchiveFormat::Tar, 2);
    QVERIFY(!archive.isEmpty());

    const CliResult result = runCli(dataDir.filePath(QStringLiteral("data")),
                                    { QStringLiteral("add-media"), QStringLiteral("-d"),
                                      QStringLiteral("any-dataset"), QStringLiteral("-p"), photoDir,
                                      QStringLiteral("--archive"), archive });
    QCOMPARE(result.exitCode, exitBadRequest);
    const QString expected = QStringLiteral("error 400: %1").arg(ServiceError::exactlyOneSource().detail());
    QVERIFY2(result.err.contains(expected), qPrintable(describe(result)));
}

void TestCli::unknownDatasetIsNotFound_data()
{
    QTest::addColumn<QStringList>("arguments");
    const QString missing = QStringLiteral("no-such-dataset");
    QTest::newRow("status") << QStringList{ QStringLiteral("status"), QStringLiteral("-d"), missing };
    QTest::newRow("reindex") << QStringList{ QStringLiteral("reindex"), QStringLiteral("-d"), missing };
    QTest::newRow("media") << QStringList{ QStringLiteral("media"), QStringLiteral("-d"), missing };
    QTest::newRow("add-media")
        << QStringList{ QStringLiteral("add-media"), QStringLiteral("-d"), missing,
                        QStringLiteral("--files"), TestSupport::opencvPhotos().value(0) };
    QTest::newRow("tasks") << QStringList{ QStringLiteral("tasks"), QStringLiteral("-d"), missing };
}

void TestCli::unknownDatasetIsNotFound()
{
    QFETCH(QStringList, arguments);
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());

    const CliResult result = runCli(dataDir.path(), arguments);
    QCOMPARE(result.exitCode, exitNotFound);
    const QStringList lines = result.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    const QString expected = QStringLiteral("error 404: %1").arg(ServiceError::notFound().detail());
    const qsizetype errorLine = lines.indexOf(expected);
    QVERIFY2(errorLine >= 0, qPrintable(describe(result)));
    QVERIFY2(errorLine + 1 < lines.size(), qPrintable(describe(result)));

    // The next line names the id, the backend and the command that lists the datasets.
    const QString hint = lines.at(errorLine + 1);
    QVERIFY2(hint.startsWith(QLatin1String("No dataset with id \"no-such-dataset\" on ")),
             qPrintable(hint));
    QVERIFY2(hint.contains(dataDir.path()), qPrintable(hint));
    QVERIFY2(hint.endsWith(QLatin1String("list the datasets with: accrete-cli datasets")),
             qPrintable(hint));
    QVERIFY2(result.out.isEmpty(), qPrintable(describe(result)));
}

void TestCli::serveHelpNamesCommand()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const CliResult result =
        runCli(dataDir.path(), { QStringLiteral("serve"), QStringLiteral("--help") });

    QCOMPARE(result.exitCode, exitOk);
    QCOMPARE(result.out.section(QLatin1Char('\n'), 0, 0),
             QStringLiteral("Usage: accrete-cli serve [options]"));
    QVERIFY2(result.out.contains(QLatin1String("--listen")), qPrintable(result.out));
}

void TestCli::serverBackendReachesServe()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const QString data = dataDir.filePath(QStringLiteral("data"));
    const QString id = createDataset(data, 3);
    QVERIFY(!id.isEmpty());
    const quint16 port = freeLoopbackPort();
    QVERIFY(port != 0);
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(port);

    QProcess server;
    server.setProgram(QStringLiteral(ACCRETE_CLI_PATH));
    server.setArguments({ QStringLiteral("--data-dir"), data, QStringLiteral("serve"),
                          QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                          QStringLiteral("--no-auth") });
    server.setProcessChannelMode(QProcess::ForwardedChannels);
    server.start();
    QVERIFY2(server.waitForStarted(), qPrintable(server.errorString()));
    const QStringList remote{ QStringLiteral("--backend"), QStringLiteral("server"),
                              QStringLiteral("--url"), url, QStringLiteral("--no-auth") };

    CliResult listed;
    QTRY_VERIFY_WITH_TIMEOUT((listed = runCli(data, remote + QStringList{ QStringLiteral("datasets"),
                                                                          QStringLiteral("--json") }))
                                     .exitCode
                                 != exitConnectionFailed,
                             60000);
    QVERIFY2(listed.exitCode == exitOk, qPrintable(describe(listed)));
    const QJsonArray datasets = QJsonDocument::fromJson(listed.out.toUtf8()).array();
    QCOMPARE(datasets.size(), 1);
    QCOMPARE(datasets.at(0).toObject().value(QStringLiteral("id")).toString(), id);

    const CliResult missing = runCli(data, remote + QStringList{ QStringLiteral("status"), QStringLiteral("-d"),
                                                                 QStringLiteral("no-such-dataset") });
    QVERIFY2(missing.exitCode == exitNotFound, qPrintable(describe(missing)));

    const CliResult conflict = runCli(data, remote + QStringList{ QStringLiteral("reindex"),
                                                                  QStringLiteral("-d"), id });
    QVERIFY2(conflict.exitCode == exitConflict, qPrintable(describe(conflict)));
    QVERIFY2(conflict.err.contains(QLatin1String("error 409: ")), qPrintable(describe(conflict)));

    server.terminate();
    QVERIFY(server.waitForFinished(30000));
}

void TestCli::unreachableServerIsConnectionFailure()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const quint16 port = freeLoopbackPort();
    QVERIFY(port != 0);

    const CliResult result = runCli(dataDir.path(),
                                    { QStringLiteral("--backend"), QStringLiteral("server"),
                                      QStringLiteral("--url"),
                                      QStringLiteral("http://127.0.0.1:%1").arg(port),
                                      QStringLiteral("--no-auth"), QStringLiteral("datasets") });
    QCOMPARE(result.exitCode, exitConnectionFailed);
    // The client may log a warning first; the CLI's own message is a line of its own.
    static const QRegularExpression errorLine(QStringLiteral("^error: \\S"),
                                              QRegularExpression::MultilineOption);
    QVERIFY2(result.err.contains(errorLine), qPrintable(describe(result)));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
