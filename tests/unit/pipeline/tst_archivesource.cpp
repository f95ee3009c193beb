#include <archive.h>
#include <archive_entry.h>

#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "pipeline/media/mediasource.h"
#include "testsupport.h"

using namespace Accrete;
using TestSupport::ArchiveEntry;
using TestSupport::ArchiveFormat;

Q_DECLARE_METATYPE(Accrete::TestSupport::ArchiveFormat)

namespace {

struct ReadEntry
{
    SourceEntry entry;
    QByteArray data;
    bool readFailed = false;
};

QList<ReadEntry> readAll(MediaSource &source)
{
    QList<ReadEntry> result;
    SourceEntry entry;
    while (source.next(&entry)) {
        ReadEntry read { entry, {}, false };
        if (entry.rejectionReason.isEmpty()) {
            char buffer[16 * 1024];
            qint64 count = 0;
            while ((count = source.read(buffer, sizeof buffer)) > 0)
                read.data.append(buffer, count);
            read.readFailed = count < 0;
        }
        result.append(read);
    }
    return result;
}

const ReadEntry *findEntry(const QList<ReadEntry> &entries, const QString &relativePath)
{
    for (const ReadEntry &read : entries)
        if (read.entry.relativePath == relativePath)
            return &read;
    return nullptr;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Writes a tar with one regular member and one link member (a symlink or a hard link), which
// TestSupport::writeArchive cannot write.
bool writeTarWithLink(const QString &path, bool hardLink)
{
    struct archive *writer = archive_write_new();
    archive_write_set_format_pax_restricted(writer);
    if (archive_write_open_filename(writer, QFile::encodeName(path).constData()) != ARCHIVE_OK) {
        archive_write_free(writer);
        return false;
    }
    const QByteArray data("regular");
    struct archive_entry *entry = archive_entry_new();
    archive_entry_set_pathname(entry, "regular.txt");
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, data.size());
    bool ok = archive_write_header(writer, entry) == ARCHIVE_OK
        && archive_write_data(writer, data.constData(), size_t(data.size())) == data.size();
    archive_entry_clear(entry);

    archive_entry_set_pathname(entry, "link.txt");
    archive_entry_set_perm(entry, 0644);
    if (hardLink) {
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, "regular.txt");
    } else {
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, "/etc/passwd");
    }
    archive_entry_set_size(entry, 0);
    ok = ok && archive_write_header(writer, entry) == ARCHIVE_OK;
    archive_entry_free(entry);
    ok = archive_write_close(writer) == ARCHIVE_OK && ok;
    archive_write_free(writer);
    return ok;
}

// Writes a tar whose member name is raw Latin-1 bytes, invalid as UTF-8.
bool writeTarWithLatin1Name(const QString &path)
{
    struct archive *writer = archive_write_new();
    archive_write_set_format_ustar(writer);
    if (archive_write_open_filename(writer, QFile::encodeName(path).constData()) != ARCHIVE_OK) {
        archive_write_free(writer);
        return false;
    }
    struct archive_entry *entry = archive_entry_new();
    archive_entry_copy_pathname(entry, "caf\xe9.txt");
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, 4);
    bool ok = archive_write_header(writer, entry) == ARCHIVE_OK
        && archive_write_data(writer, "data", 4) == 4;
    archive_entry_free(entry);
    ok = archive_write_close(writer) == ARCHIVE_OK && ok;
    archive_write_free(writer);
    return ok;
}

} // namespace

class TestArchiveSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(TestSupport::opencvPhotos().size() >= 4,
                 "install the opencv-doc package for its sample photos");
    }

    void membersReadBackByteIdentical_data()
    {
        QTest::addColumn<ArchiveFormat>("format");
        QTest::addColumn<QString>("suffix");
        QTest::newRow("zip") << ArchiveFormat::Zip << QStringLiteral(".zip");
        QTest::newRow("tar") << ArchiveFormat::Tar << QStringLiteral(".tar");
        QTest::newRow("tar.gz") << ArchiveFormat::TarGz << QStringLiteral(".tar.gz");
    }

    void membersReadBackByteIdentical()
    {
        QFETCH(ArchiveFormat, format);
        QFETCH(QString, suffix);
        QTemporaryDir temp;
        const QStringList photos = TestSupport::opencvPhotos().mid(0, 3);
        QList<ArchiveEntry> members;
        for (const QString &photo : photos)
            members.append({ QStringLiteral("photos/") + QFileInfo(photo).fileName(), {}, photo });
        members.append({ QStringLiteral("a/same.txt"), "first", {} });
        members.append({ QStringLiteral("b/same.txt"), "second", {} });
        members.append({ QStringLiteral("./dot/c.txt"), "dot", {} });
        const QString path = temp.filePath(QStringLiteral("batch") + suffix);
        QString error;
        QVERIFY2(TestSupport::writeArchive(path, format, members, &error), qPrintable(error));

        auto source = openArchiveSource(path, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QVERIFY2(source->errorString().isEmpty(), qPrintable(source->errorString()));
        QCOMPARE(entries.size(), members.size());
        for (const QString &photo : photos) {
            const QString name = QStringLiteral("photos/") + QFileInfo(photo).fileName();
            const ReadEntry *read = findEntry(entries, name);
            QVERIFY2(read, qPrintable(name));
            QVERIFY(read->entry.rejectionReason.isEmpty());
            QCOMPARE(read->entry.origin, QStringLiteral("archive"));
            QCOMPARE(read->entry.originPath, path + QLatin1Char('!') + name);
            QCOMPARE(read->data, fileBytes(photo));
        }
        QCOMPARE(findEntry(entries, QStringLiteral("a/same.txt"))->data, QByteArray("first"));
        QCOMPARE(findEntry(entries, QStringLiteral("b/same.txt"))->data, QByteArray("second"));
        QVERIFY(findEntry(entries, QStringLiteral("dot/c.txt")));
    }

    void unsafeNamesRejected_data()
    {
        QTest::addColumn<ArchiveFormat>("format");
        QTest::addColumn<QString>("name");
        const QList<QPair<const char *, ArchiveFormat>> formats
            = { { "zip", ArchiveFormat::Zip }, { "tar", ArchiveFormat::Tar } };
        for (const auto &[label, format] : formats) {
            QTest::addRow("%s parent", label) << format << QStringLiteral("../x.jpg");
            QTest::addRow("%s nested parent", label) << format << QStringLiteral("a/../../x.jpg");
            QTest::addRow("%s absolute", label) << format << QStringLiteral("/abs.jpg");
            QTest::addRow("%s drive backslash", label) << format << QStringLiteral("C:\\x.jpg");
            QTest::addRow("%s drive slash", label) << format << QStringLiteral("C:/x.jpg");
            QTest::addRow("%s backslash parent", label) << format << QStringLiteral("..\\x.jpg");
        }
    }

    void unsafeNamesRejected()
    {
        QFETCH(ArchiveFormat, format);
        QFETCH(QString, name);
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("unsafe.archive"));
        QString error;
        QVERIFY2(TestSupport::writeArchive(
                     path, format,
                     { { name, "payload", {} }, { QStringLiteral("safe.txt"), "safe", {} } },
                     &error),
                 qPrintable(error));

        auto source = openArchiveSource(path, SourceLimits {});
        SourceEntry entry;
        QVERIFY(source->next(&entry));
        QCOMPARE(entry.rejectionReason, QStringLiteral("unsafe archive path"));
        char buffer[64];
        QCOMPARE(source->read(buffer, sizeof buffer), qint64(-1));
        QVERIFY(source->next(&entry));
        QCOMPARE(entry.relativePath, QStringLiteral("safe.txt"));
        QCOMPARE(source->read(buffer, sizeof buffer), qint64(4));
        QVERIFY(!source->next(&entry));
    }

    void linkEntriesRejected_data()
    {
        QTest::addColumn<bool>("hardLink");
        QTest::newRow("symlink") << false;
        QTest::newRow("hardlink") << true;
    }

    void linkEntriesRejected()
    {
        QFETCH(bool, hardLink);
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("links.tar"));
        QVERIFY(writeTarWithLink(path, hardLink));

        auto source = openArchiveSource(path, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 2);
        QCOMPARE(findEntry(entries, QStringLiteral("regular.txt"))->data, QByteArray("regular"));
        const ReadEntry *link = findEntry(entries, QStringLiteral("link.txt"));
        QVERIFY(link);
        QCOMPARE(link->entry.rejectionReason, QStringLiteral("link entry not followed"));
    }

    void truncatedArchiveKeepsEarlierEntries_data()
    {
        QTest::addColumn<ArchiveFormat>("format");
        QTest::newRow("tar.gz") << ArchiveFormat::TarGz;
        QTest::newRow("zip") << ArchiveFormat::Zip;
    }

    void truncatedArchiveKeepsEarlierEntries()
    {
        QFETCH(ArchiveFormat, format);
        QTemporaryDir temp;
        const int photoCount = 12;
        const QString path = TestSupport::makePhotoArchive(temp.filePath(QStringLiteral("cut")),
                                                           format, photoCount);
        QVERIFY(!path.isEmpty());
        const QStringList photos = TestSupport::opencvPhotos().mid(0, photoCount);
        QCOMPARE(photos.size(), photoCount);
        // Cut well past the first 64 KiB, which libarchive's gzip filter needs whole.
        const qint64 cut = QFileInfo(path).size() * 3 / 4;
        QVERIFY(cut > 200 * 1024);
        QVERIFY(QFile::resize(path, cut));

        auto source = openArchiveSource(path, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QVERIFY(!source->errorString().isEmpty());
        QVERIFY(entries.size() < photoCount);
        // Members before the damage are complete and byte-identical, and only the last one
        // read may fail. A cut zip has lost its central directory, so its local headers are
        // streamed the same way.
        int complete = 0;
        for (qsizetype i = 0; i < entries.size(); ++i) {
            const ReadEntry &read = entries.at(i);
            QVERIFY(read.entry.rejectionReason.isEmpty());
            if (read.readFailed) {
                QCOMPARE(i, entries.size() - 1);
                continue;
            }
            QCOMPARE(read.entry.relativePath,
                     QStringLiteral("photos/") + QFileInfo(photos.at(i)).fileName());
            QCOMPARE(read.data, fileBytes(photos.at(i)));
            ++complete;
        }
        QVERIFY2(complete >= 3, qPrintable(QString::number(complete)));
        SourceEntry entry;
        QVERIFY(!source->next(&entry));
    }

    void truncatedSmallTarGzKeepsEarlierEntries()
    {
        // The cut falls inside the first 64 KiB of decompressed data, the block size of
        // libarchive's own gzip filter.
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("small.tar.gz"));
        const QString photo = TestSupport::opencvPhotos().first();
        QVERIFY(TestSupport::writeArchive(path, ArchiveFormat::TarGz,
                                          { { QStringLiteral("a.txt"), "first member", {} },
                                            { QStringLiteral("b.txt"), "second member", {} },
                                            { QStringLiteral("photo.jpg"), {}, photo } }));
        QVERIFY(QFile::resize(path, QFileInfo(path).size() / 2));

        auto source = openArchiveSource(path, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.at(0).data, QByteArray("first member"));
        QCOMPARE(entries.at(1).data, QByteArray("second member"));
        QVERIFY(entries.at(2).readFailed);
        QVERIFY(!source->errorString().isEmpty());
    }

    void corruptGzipKeepsEarlierEntries()
    {
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("corrupt.tar.gz"));
        const QStringList photos = TestSupport::opencvPhotos().mid(0, 6);
        QList<ArchiveEntry> members;
        for (const QString &photo : photos)
            members.append({ QFileInfo(photo).fileName(), {}, photo });
        QVERIFY(TestSupport::writeArchive(path, ArchiveFormat::TarGz, members));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        for (qsizetype i = bytes.size() * 3 / 4; i < bytes.size() * 3 / 4 + 256; ++i)
            bytes[i] = char(bytes.at(i) ^ 0x5a);
        QVERIFY(file.seek(0));
        QCOMPARE(file.write(bytes), bytes.size());
        file.close();

        auto source = openArchiveSource(path, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QVERIFY(!source->errorString().isEmpty());
        QVERIFY(entries.size() >= 2);
        QCOMPARE(entries.at(0).data, fileBytes(photos.at(0)));
        QCOMPARE(entries.at(1).data, fileBytes(photos.at(1)));
    }

    void corruptZipMemberSkipped()
    {
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("corrupt.zip"));
        const QStringList photos = TestSupport::opencvPhotos().mid(0, 3);
        QList<ArchiveEntry> members;
        for (const QString &photo : photos)
            members.append({ QFileInfo(photo).fileName(), {}, photo });
        QVERIFY(TestSupport::writeArchive(path, ArchiveFormat::Zip, members));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        const qsizetype second = bytes.indexOf("PK\x03\x04", 4);
        QVERIFY(second > 0);
        for (qsizetype i = second + 400; i < second + 900; ++i)
            bytes[i] = char(bytes.at(i) ^ 0x5a);
        QVERIFY(file.seek(0));
        QCOMPARE(file.write(bytes), bytes.size());
        file.close();

        auto source = openArchiveSource(path, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.at(0).data, fileBytes(photos.at(0)));
        QVERIFY(entries.at(1).readFailed);
        QCOMPARE(entries.at(2).data, fileBytes(photos.at(2)));
        // The damage belonged to one member, so the archive as a whole reports no error.
        QVERIFY2(source->errorString().isEmpty(), qPrintable(source->errorString()));
    }

    void oversizedEntryRejected()
    {
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("big.tar"));
        QVERIFY(
            TestSupport::writeArchive(path, ArchiveFormat::Tar,
                                      { { QStringLiteral("big.bin"), QByteArray(1000, 'x'), {} },
                                        { QStringLiteral("small.bin"), "x", {} } }));
        SourceLimits limits;
        limits.maxEntrySize = 100;

        auto source = openArchiveSource(path, limits);
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.at(0).entry.rejectionReason, QStringLiteral("too large"));
        QCOMPARE(entries.at(1).data, QByteArray("x"));
    }

    void compressionBombRejected()
    {
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("bomb.tar.gz"));
        QVERIFY(TestSupport::writeArchive(
            path, ArchiveFormat::TarGz,
            { { QStringLiteral("zeros.bin"), QByteArray(8 * 1024 * 1024, '\0'), {} } }));
        SourceLimits limits;
        limits.minBytesForRatioCheck = 1024 * 1024;
        limits.maxCompressionRatio = 100;

        auto source = openArchiveSource(path, limits);
        SourceEntry entry;
        QVERIFY(source->next(&entry));
        QCOMPARE(entry.rejectionReason, QStringLiteral("compression ratio above limit"));
    }

    void nonUtf8NameDecoded()
    {
        QTemporaryDir temp;
        const QString path = temp.filePath(QStringLiteral("latin1.tar"));
        QVERIFY(writeTarWithLatin1Name(path));

        auto source = openArchiveSource(path, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 1);
        QVERIFY(entries.first().entry.relativePath.startsWith(QStringLiteral("caf")));
        QVERIFY(entries.first().entry.relativePath.endsWith(QStringLiteral(".txt")));
        QCOMPARE(entries.first().data, QByteArray("data"));
    }

    void nonArchiveFails()
    {
        auto source = openArchiveSource(TestSupport::opencvPhotos().first(), SourceLimits {});
        SourceEntry entry;
        QVERIFY(!source->next(&entry));
        QVERIFY(!source->errorString().isEmpty());
    }

    void nestedArchiveYieldedAsFile()
    {
        QTemporaryDir temp;
        const QString inner = temp.filePath(QStringLiteral("inner.zip"));
        QVERIFY(TestSupport::writeArchive(inner, ArchiveFormat::Zip,
                                          { { QStringLiteral("x.txt"), "x", {} } }));
        const QString outer = temp.filePath(QStringLiteral("outer.tar"));
        QVERIFY(TestSupport::writeArchive(outer, ArchiveFormat::Tar,
                                          { { QStringLiteral("inner.zip"), {}, inner } }));

        auto source = openArchiveSource(outer, SourceLimits {});
        const QList<ReadEntry> entries = readAll(*source);
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().entry.relativePath, QStringLiteral("inner.zip"));
        QCOMPARE(entries.first().data, fileBytes(inner));
    }
};

QTEST_GUILESS_MAIN(TestArchiveSource)
#include "tst_archivesource.moc"
