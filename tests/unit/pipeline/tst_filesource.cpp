#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "pipeline/media/mediasource.h"

using namespace Accrete;

namespace {

struct ReadEntry
{
    SourceEntry entry;
    QByteArray data;
};

QList<ReadEntry> readAll(MediaSource &source)
{
    QList<ReadEntry> result;
    SourceEntry entry;
    while (source.next(&entry)) {
        ReadEntry read { entry, {} };
        if (entry.rejectionReason.isEmpty()) {
            char buffer[4096];
            qint64 count = 0;
            while ((count = source.read(buffer, sizeof buffer)) > 0)
                read.data.append(buffer, count);
        }
        result.append(read);
        if (result.size() > 10'000) // a loop would never end; fail instead of hanging
            break;
    }
    return result;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

const ReadEntry *findEntry(const QList<ReadEntry> &entries, const QString &relativePath)
{
    for (const ReadEntry &read : entries)
        if (read.entry.relativePath == relativePath)
            return &read;
    return nullptr;
}

} // namespace

class TestFileSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void folderKeepsItsNameAndNestedPaths()
    {
        QTemporaryDir temp;
        QVERIFY(temp.isValid());
        const QString root = temp.filePath(QStringLiteral("dropped"));
        QVERIFY(writeFile(root + QStringLiteral("/a.jpg"), "top"));
        QVERIFY(writeFile(root + QStringLiteral("/sub/a.jpg"), "nested same name"));
        QVERIFY(writeFile(root + QStringLiteral("/sub/deeper/b.png"), "deeper"));
        QVERIFY(writeFile(root + QStringLiteral("/.hidden.jpg"), "hidden"));

        auto source = openFileSource({ root }, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 4);

        const ReadEntry *top = findEntry(entries, QStringLiteral("dropped/a.jpg"));
        const ReadEntry *nested = findEntry(entries, QStringLiteral("dropped/sub/a.jpg"));
        const ReadEntry *deeper = findEntry(entries, QStringLiteral("dropped/sub/deeper/b.png"));
        QVERIFY(top);
        QVERIFY(nested);
        QVERIFY(deeper);
        QVERIFY(findEntry(entries, QStringLiteral("dropped/.hidden.jpg")));
        QCOMPARE(top->data, QByteArray("top"));
        QCOMPARE(nested->data, QByteArray("nested same name"));
        QCOMPARE(deeper->data, QByteArray("deeper"));
        QCOMPARE(nested->entry.size, qint64(16));
        QCOMPARE(nested->entry.origin, QStringLiteral("file"));
        QCOMPARE(nested->entry.localFilePath,
                 QFileInfo(root + QStringLiteral("/sub/a.jpg")).absoluteFilePath());
        QVERIFY(nested->entry.rejectionReason.isEmpty());
    }

    void singleFileKeepsItsName()
    {
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("photo.jpg"));
        QVERIFY(writeFile(path, "bytes"));

        auto source = openFileSource({ path }, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().entry.relativePath, QStringLiteral("photo.jpg"));
        QCOMPARE(entries.first().data, QByteArray("bytes"));
    }

    void symlinkReportedNotFollowed()
    {
        QTemporaryDir temp;
        const QString root = temp.filePath(QStringLiteral("dropped"));
        const QString outside = temp.filePath(QStringLiteral("outside"));
        QVERIFY(writeFile(root + QStringLiteral("/real.jpg"), "real"));
        QVERIFY(writeFile(outside + QStringLiteral("/secret.jpg"), "outside"));
        QVERIFY(QFile::link(outside, root + QStringLiteral("/linked-folder")));
        QVERIFY(QFile::link(outside + QStringLiteral("/secret.jpg"),
                            root + QStringLiteral("/linked-file.jpg")));

        auto source = openFileSource({ root }, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 3);
        const ReadEntry *folderLink = findEntry(entries, QStringLiteral("dropped/linked-folder"));
        const ReadEntry *fileLink = findEntry(entries, QStringLiteral("dropped/linked-file.jpg"));
        QVERIFY(folderLink);
        QVERIFY(fileLink);
        QCOMPARE(folderLink->entry.rejectionReason, QStringLiteral("symbolic link not followed"));
        QCOMPARE(fileLink->entry.rejectionReason, QStringLiteral("symbolic link not followed"));
        QVERIFY(fileLink->data.isEmpty());
        QVERIFY(!findEntry(entries, QStringLiteral("dropped/linked-folder/secret.jpg")));
        char buffer[16];
        auto again = openFileSource({ root + QStringLiteral("/linked-file.jpg") }, SourceLimits {});
        SourceEntry entry;
        QVERIFY(again->next(&entry));
        QCOMPARE(entry.rejectionReason, QStringLiteral("symbolic link not followed"));
        QCOMPARE(again->read(buffer, sizeof buffer), qint64(-1));
    }

    void symlinkLoopTerminates()
    {
        QTemporaryDir temp;
        const QString root = temp.filePath(QStringLiteral("dropped"));
        QVERIFY(writeFile(root + QStringLiteral("/sub/a.jpg"), "a"));
        QVERIFY(QFile::link(root, root + QStringLiteral("/sub/loop")));
        QVERIFY(QFile::link(QStringLiteral(".."), root + QStringLiteral("/sub/up")));

        auto source = openFileSource({ root }, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 3);
        QCOMPARE(findEntry(entries, QStringLiteral("dropped/sub/loop"))->entry.rejectionReason,
                 QStringLiteral("symbolic link not followed"));
        QCOMPARE(findEntry(entries, QStringLiteral("dropped/sub/a.jpg"))->data, QByteArray("a"));
    }

    void fifoRejectedUnread()
    {
        QTemporaryDir temp;
        const QString root = temp.filePath(QStringLiteral("dropped"));
        QVERIFY(QDir().mkpath(root));
        const QString fifo = root + QStringLiteral("/pipe");
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);

        auto source = openFileSource({ root }, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().entry.rejectionReason,
                 QStringLiteral("special file (device, FIFO or socket)"));
    }

    void unreadableFolderReported()
    {
        if (::geteuid() == 0)
            QSKIP("root reads every folder, so none can be made unreadable");
        QTemporaryDir temp;
        const QString root = temp.filePath(QStringLiteral("dropped"));
        QVERIFY(writeFile(root + QStringLiteral("/locked/a.jpg"), "a"));
        QVERIFY(writeFile(root + QStringLiteral("/open.jpg"), "b"));
        const QString locked = root + QStringLiteral("/locked");
        QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));

        auto source = openFileSource({ root }, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QFile::setPermissions(
            locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QCOMPARE(entries.size(), 2);
        QCOMPARE(findEntry(entries, QStringLiteral("dropped/locked"))->entry.rejectionReason,
                 QStringLiteral("folder not readable"));
        QCOMPARE(findEntry(entries, QStringLiteral("dropped/open.jpg"))->data, QByteArray("b"));
    }

    void oversizedFileRejected()
    {
        QTemporaryDir temp;
        const QString root = temp.filePath(QStringLiteral("dropped"));
        QVERIFY(writeFile(root + QStringLiteral("/big.jpg"), QByteArray(100, 'x')));
        QVERIFY(writeFile(root + QStringLiteral("/small.jpg"), QByteArray(10, 'x')));
        SourceLimits limits;
        limits.maxEntrySize = 50;

        auto source = openFileSource({ root }, limits);
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 2);
        QCOMPARE(findEntry(entries, QStringLiteral("dropped/big.jpg"))->entry.rejectionReason,
                 QStringLiteral("too large"));
        QVERIFY(findEntry(entries, QStringLiteral("dropped/small.jpg"))
                    ->entry.rejectionReason.isEmpty());
    }

    void batchOverTotalSizeRejected()
    {
        QTemporaryDir temp;
        const QString first = temp.filePath(QStringLiteral("first.jpg"));
        const QString second = temp.filePath(QStringLiteral("second.jpg"));
        QVERIFY(writeFile(first, QByteArray(10, 'x')));
        QVERIFY(writeFile(second, QByteArray(10, 'y')));
        SourceLimits limits;
        limits.maxTotalSize = 15;

        auto source = openFileSource({ first, second }, limits);
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 2);
        QVERIFY(entries.at(0).entry.rejectionReason.isEmpty());
        QCOMPARE(entries.at(0).data, QByteArray(10, 'x'));
        QCOMPARE(entries.at(1).entry.rejectionReason, QStringLiteral("too large"));
        QVERIFY(entries.at(1).data.isEmpty());
    }

    void missingPathRejected()
    {
        QTemporaryDir temp;
        auto source
            = openFileSource({ temp.filePath(QStringLiteral("gone.jpg")) }, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().entry.rejectionReason, QStringLiteral("file not found"));
    }
};

QTEST_GUILESS_MAIN(TestFileSource)
#include "tst_filesource.moc"
