// Kills accrete-cli with SIGKILL at random points of add_media and reindex, starts it again
// and checks that the dataset is never left READ ONLY or INDEXING, that the interrupted task
// ended with a reason or completed, that no item is lost or duplicated (content hashes are
// compared with the input), and that SQLite's integrity check passes.
//
// The random seed is printed; set ACCRETE_CRASH_SEED to replay a run.

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "testsupport.h"

using namespace Accrete::TestSupport;

namespace {

constexpr int crashRounds = 20;
constexpr int photosPerBatch = 60;
constexpr int commandTimeoutMs = 300'000;

QString sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

struct CommandResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestCrashRecovery final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killDuringAddMediaAndReindex();

private:
    QStringList cliArguments(const QStringList &command) const;
    CommandResult runCli(const QStringList &command);
    QJsonObject datasetJson();
    QJsonArray mediaJson();
    QJsonArray tasksJson();
    void checkIntegrity();
    // Checks that every stored item matches its input and that no member is stored twice.
    void checkItems(const QJsonArray &items, bool requireAll);

    QTemporaryDir m_root;
    QString m_dataDir;
    QString m_datasetId;
    // Archive path -> (member path -> SHA-256 of the member's bytes).
    QMap<QString, QMap<QString, QString>> m_batches;
    QSet<QString> m_interruptedBatches;
    int m_killedMidOperation = 0;
};

QStringList TestCrashRecovery::cliArguments(const QStringList &command) const
{
    return QStringList{ QStringLiteral("--data-dir"), m_dataDir } + command;
}

CommandResult TestCrashRecovery::runCli(const QStringList &command)
{
    QProcess process;
    process.start(QStringLiteral(ACCRETE_CLI_PATH), cliArguments(command));
    CommandResult result;
    if (!process.waitForFinished(commandTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out: " + command.join(QLatin1Char(' ')).toUtf8();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QJsonObject TestCrashRecovery::datasetJson()
{
    const CommandResult result =
        runCli({ QStringLiteral("status"), QStringLiteral("-d"), m_datasetId, QStringLiteral("--json") });
    return QJsonDocument::fromJson(result.out).object();
}

QJsonArray TestCrashRecovery::mediaJson()
{
    const CommandResult result =
        runCli({ QStringLiteral("media"), QStringLiteral("-d"), m_datasetId, QStringLiteral("--json"),
                 QStringLiteral("--limit"), QStringLiteral("10000") });
    return QJsonDocument::fromJson(result.out).object().value(QStringLiteral("items")).toArray();
}

QJsonArray TestCrashRecovery::tasksJson()
{
    const CommandResult result =
        runCli({ QStringLiteral("tasks"), QStringLiteral("-d"), m_datasetId, QStringLiteral("--json"),
                 QStringLiteral("--page-size"), QStringLiteral("50") });
    return QJsonDocument::fromJson(result.out).object().value(QStringLiteral("tasks")).toArray();
}

void TestCrashRecovery::initTestCase()
{
    QVERIFY(m_root.isValid());
    QVERIFY2(opencvPhotos().size() >= 40, "install the opencv-doc package");
    m_dataDir = m_root.filePath(QStringLiteral("data"));

    const QString seed = m_root.filePath(QStringLiteral("seed"));
    QCOMPARE(copyPhotos(seed, 4, 0).size(), 4);
    const CommandResult created = runCli({ QStringLiteral("create"), QStringLiteral("-n"),
                                           QStringLiteral("crash recovery"), QStringLiteral("-p"),
                                           seed, QStringLiteral("--wait") });
    QVERIFY2(created.exitCode == 0, created.err.constData());

    const CommandResult listed = runCli({ QStringLiteral("datasets"), QStringLiteral("--json") });
    const QJsonArray datasets = QJsonDocument::fromJson(listed.out).array();
    QCOMPARE(datasets.size(), 1);
    m_datasetId = datasets.at(0).toObject().value(QStringLiteral("id")).toString();
    QVERIFY(!m_datasetId.isEmpty());
    QCOMPARE(datasetJson().value(QStringLiteral("status_new")).toString(), QStringLiteral("READY"));
}

void TestCrashRecovery::checkIntegrity()
{
    const QString catalog = m_dataDir + QLatin1Char('/') + m_datasetId + QStringLiteral("/catalog.sqlite");
    QVERIFY2(QFileInfo::exists(catalog), qPrintable(catalog));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("integrity"));
        db.setDatabaseName(catalog);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("PRAGMA integrity_check")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("ok"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("integrity"));
}

void TestCrashRecovery::checkItems(const QJsonArray &items, bool requireAll)
{
    QSet<QString> seen;
    for (const QJsonValue &value : items) {
        const QJsonObject item = value.toObject();
        const QString originPath = item.value(QStringLiteral("origin_path")).toString();
        const QString sha = item.value(QStringLiteral("sha256")).toString();
        QVERIFY2(!seen.contains(originPath), qPrintable(QStringLiteral("stored twice: ") + originPath));
        seen.insert(originPath);

        // The stored bytes are whole: they hash to the recorded content hash.
        const QString stored = item.value(QStringLiteral("media_uri")).toString();
        QCOMPARE(sha256Of(stored), sha);

        // An item from one of the batches has the content of its input member.
        for (auto batch = m_batches.cbegin(); batch != m_batches.cend(); ++batch) {
            for (auto member = batch->cbegin(); member != batch->cend(); ++member) {
                if (originPath.endsWith(member.key()) && originPath.contains(QFileInfo(batch.key()).fileName()))
                    QCOMPARE(sha, member.value());
            }
        }
    }
    if (!requireAll)
        return;
    for (auto batch = m_batches.cbegin(); batch != m_batches.cend(); ++batch) {
        for (auto member = batch->cbegin(); member != batch->cend(); ++member) {
            bool found = false;
            for (const QString &originPath : std::as_const(seen)) {
                if (originPath.endsWith(member.key())
                    && originPath.contains(QFileInfo(batch.key()).fileName()))
                    found = true;
            }
            QVERIFY2(found, qPrintable(QStringLiteral("lost: %1 of %2").arg(member.key(), batch.key())));
        }
    }
}

void TestCrashRecovery::killDuringAddMediaAndReindex()
{
    const quint32 seed = qEnvironmentVariableIsSet("ACCRETE_CRASH_SEED")
        ? quint32(qEnvironmentVariableIntValue("ACCRETE_CRASH_SEED"))
        : QRandomGenerator::global()->generate();
    qInfo("crash seed: %u (set ACCRETE_CRASH_SEED=%u to replay)", seed, seed);
    QRandomGenerator random(seed);
    const QStringList photos = opencvPhotos();

    for (int round = 0; round < crashRounds; ++round) {
        const QString status = datasetJson().value(QStringLiteral("status_new")).toString();
        const bool reindex = status == QLatin1String("PARTIAL INDEX") && random.bounded(3) == 0;

        QStringList command;
        QString archive;
        if (reindex) {
            command = { QStringLiteral("reindex"), QStringLiteral("-d"), m_datasetId, QStringLiteral("--wait") };
        } else {
            // Each batch gets its own archive; members are named by round, so every member is
            // a distinct item even when two batches share a photo.
            archive = m_root.filePath(QStringLiteral("batch-%1.tar.gz").arg(round));
            QList<ArchiveEntry> entries;
            QMap<QString, QString> members;
            for (int i = 0; i < photosPerBatch; ++i) {
                const QString source = photos.at(int(random.bounded(quint32(photos.size()))));
                const QString member = QStringLiteral("round-%1/%2-%3").arg(round).arg(i).arg(QFileInfo(source).fileName());
                entries.append({ member, QByteArray(), source });
                members.insert(member, sha256Of(source));
            }
            QVERIFY(writeArchive(archive, ArchiveFormat::TarGz, entries));
            m_batches.insert(archive, members);
            command = { QStringLiteral("add-media"), QStringLiteral("-d"), m_datasetId,
                        QStringLiteral("--archive"), archive, QStringLiteral("--wait") };
        }

        QProcess process;
        process.start(QStringLiteral(ACCRETE_CLI_PATH), cliArguments(command));
        QVERIFY(process.waitForStarted());
        // A batch is killed a random time after the CLI printed READ ONLY, so that the kill
        // hits the batch itself, not start-up. A reindex of this dataset takes only tens of
        // milliseconds, so it is killed a random time after the process started instead.
        QByteArray output;
        auto readOutput = [&](int waitMs) {
            process.waitForReadyRead(waitMs);
            output += process.readAllStandardOutput();
        };
        QDeadlineTimer accepted(20'000);
        while (!reindex && !output.contains("READ ONLY") && process.state() == QProcess::Running
               && !accepted.hasExpired())
            readOutput(20);
        const int delayMs = int(reindex ? random.bounded(20, 200) : random.bounded(0, 900));
        QDeadlineTimer killTime(delayMs);
        while (process.state() == QProcess::Running && !killTime.hasExpired())
            readOutput(int(qMin<qint64>(10, killTime.remainingTime())));
        const bool finishedFirst = process.state() != QProcess::Running;
        if (!finishedFirst) {
            process.kill(); // SIGKILL: no destructor, no cleanup
            QVERIFY(process.waitForFinished());
            output += process.readAllStandardOutput();
            if (output.contains("READ ONLY"))
                ++m_killedMidOperation;
            if (!reindex)
                m_interruptedBatches.insert(archive);
        }
        qInfo("round %d: %s, kill after %d ms: %s", round, reindex ? "reindex" : "add_media",
              delayMs, finishedFirst ? "not needed, the command had ended"
                                     : (output.contains("READ ONLY") ? "during the operation"
                                                                     : "before the request was accepted"));

        // The next start finds the interrupted task and settles the dataset: it ends an
        // interrupted batch at once and runs an interrupted reindex again, so the status may
        // be INDEXING for as long as that second run takes.
        QString after = datasetJson().value(QStringLiteral("status_new")).toString();
        for (int attempt = 0; attempt < 60 && after == QLatin1String("INDEXING"); ++attempt) {
            QTest::qWait(500);
            after = datasetJson().value(QStringLiteral("status_new")).toString();
        }
        QVERIFY2(after == QLatin1String("READY") || after == QLatin1String("PARTIAL INDEX"),
                 qPrintable(QStringLiteral("round %1: status %2 after restart").arg(round).arg(after)));

        // The newest task ended, with a reason when it failed.
        const QJsonArray tasks = tasksJson();
        QVERIFY(!tasks.isEmpty());
        for (const QJsonValue &value : tasks) {
            const QJsonObject task = value.toObject();
            const QString taskStatus = task.value(QStringLiteral("status")).toString();
            QVERIFY2(taskStatus == QLatin1String("COMPLETED") || taskStatus == QLatin1String("FAILED"),
                     qPrintable(QStringLiteral("round %1: task %2 is %3")
                                    .arg(round)
                                    .arg(task.value(QStringLiteral("task_id")).toString(), taskStatus)));
            if (taskStatus == QLatin1String("FAILED"))
                QVERIFY(!task.value(QStringLiteral("error_message")).toString().isEmpty());
        }

        checkItems(mediaJson(), false);
        checkIntegrity();
    }
    qInfo("%d of %d rounds were killed while the operation ran", m_killedMidOperation, crashRounds);
    // How many kills land inside a batch depends on how fast this machine runs a batch; a
    // quarter of the rounds still exercises recovery several times.
    QVERIFY2(m_killedMidOperation >= crashRounds / 4,
             "too few kills landed during an operation to test recovery");

    // Retrying each interrupted batch adds what is missing and skips what was stored.
    for (const QString &archive : std::as_const(m_interruptedBatches)) {
        const CommandResult retried = runCli({ QStringLiteral("add-media"), QStringLiteral("-d"),
                                               m_datasetId, QStringLiteral("--archive"), archive,
                                               QStringLiteral("--wait") });
        // A retry whose members were all stored before the kill adds nothing and fails.
        QVERIFY2(retried.exitCode == 0 || retried.err.contains("FAILED") || retried.out.contains("FAILED"),
                 retried.err.constData());
    }
    checkItems(mediaJson(), true);
    if (datasetJson().value(QStringLiteral("status_new")).toString() == QLatin1String("PARTIAL INDEX")) {
        const CommandResult reindexed =
            runCli({ QStringLiteral("reindex"), QStringLiteral("-d"), m_datasetId, QStringLiteral("--wait") });
        QVERIFY2(reindexed.exitCode == 0, reindexed.err.constData());
    }
    QCOMPARE(datasetJson().value(QStringLiteral("status_new")).toString(), QStringLiteral("READY"));
    checkIntegrity();
}

QTEST_GUILESS_MAIN(TestCrashRecovery)
#include "tst_crashrecovery.moc"
