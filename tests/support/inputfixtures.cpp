#include "inputfixtures.h"

#include <archive.h>
#include <archive_entry.h>
#include <algorithm>
#include <sys/sysmacros.h>

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QRandomGenerator>
#include <QtEndian>

#include "testsupport.h"

namespace Accrete::TestSupport {

namespace {

const QString imageMagick = QStringLiteral("/usr/bin/convert-im6.q16");
const QString ffmpeg = QStringLiteral("/usr/bin/ffmpeg");

bool runTool(const QString &program, const QStringList &arguments, QString *error)
{
    if (!QFileInfo::exists(program)) {
        *error = QStringLiteral("%1 is missing; install the Debian package that ships it").arg(program);
        return false;
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(180'000) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        *error = QStringLiteral("%1 %2 failed: %3")
                     .arg(program, arguments.join(QLatin1Char(' ')),
                          QString::fromLocal8Bit(process.readAll().right(600)));
        return false;
    }
    return true;
}

bool writeFile(const QString &path, const QByteArray &data, QString *error)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

// A real photo from opencv-doc by index; the fixtures use a few of them as their good content.
QString photo(int index)
{
    const QStringList photos = opencvPhotos();
    return photos.isEmpty() ? QString() : photos.at(index % photos.size());
}

QString firstJpegPhoto(int skip = 0)
{
    const QStringList photos = opencvPhotos();
    for (const QString &path : photos) {
        if (path.endsWith(QLatin1String(".jpg")) && skip-- <= 0)
            return path;
    }
    return QString();
}

QByteArray encodeJpeg(const QImage &image, int quality = 85)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "JPEG", quality);
    return bytes;
}

quint32 crc32(const QByteArray &data)
{
    static quint32 table[256];
    static bool tableReady = false;
    if (!tableReady) {
        for (quint32 i = 0; i < 256; ++i) {
            quint32 c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        tableReady = true;
    }
    quint32 crc = 0xFFFFFFFFu;
    for (char byte : data)
        crc = table[(crc ^ quint8(byte)) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

QByteArray pngChunk(const char *type, const QByteArray &payload)
{
    QByteArray chunk;
    QByteArray length(4, '\0');
    qToBigEndian<quint32>(quint32(payload.size()), length.data());
    const QByteArray typed = QByteArray(type, 4) + payload;
    QByteArray crc(4, '\0');
    qToBigEndian<quint32>(crc32(typed), crc.data());
    return length + typed + crc;
}

// A PNG whose header declares width x height RGB pixels, followed by a few KB of compressed
// zeros: a decoder that trusts the header would try to allocate width * height * 3 bytes.
QByteArray hugeDimensionPng(quint32 width, quint32 height)
{
    QByteArray header(13, '\0');
    qToBigEndian<quint32>(width, header.data());
    qToBigEndian<quint32>(height, header.data() + 4);
    header[8] = 8; // bit depth
    header[9] = 2; // colour type RGB
    const QByteArray zlibStream = qCompress(QByteArray(256 * 1024, '\0'), 9).mid(4);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", header)
        + pngChunk("IDAT", zlibStream) + pngChunk("IEND", QByteArray());
}

// An APP1 segment whose TIFF header points its first IFD far past the end of the segment.
QByteArray brokenExifJpeg(const QByteArray &jpeg)
{
    QByteArray payload("Exif\0\0", 6);
    payload += QByteArray("II*\0", 4);
    payload += QByteArray("\xff\xff\xff\x7f", 4); // IFD offset 0x7fffffff
    payload += QByteArray(16, '\xee');
    QByteArray segment("\xff\xe1", 2);
    QByteArray length(2, '\0');
    qToBigEndian<quint16>(quint16(payload.size() + 2), length.data());
    segment += length + payload;
    return jpeg.left(2) + segment + jpeg.mid(2);
}

struct RawArchiveEntry
{
    QByteArray name; // raw bytes, so that names that are not UTF-8 can be written
    QByteArray data;
    unsigned int fileType = AE_IFREG;
    QByteArray linkTarget;
    bool hardLink = false;
    bool encrypted = false;
};

RawArchiveEntry fileEntry(const QByteArray &name, const QByteArray &data)
{
    RawArchiveEntry entry;
    entry.name = name;
    entry.data = data;
    return entry;
}

RawArchiveEntry specialEntry(const QByteArray &name, unsigned int fileType,
                             const QByteArray &linkTarget = QByteArray())
{
    RawArchiveEntry entry;
    entry.name = name;
    entry.fileType = fileType;
    entry.linkTarget = linkTarget;
    return entry;
}

RawArchiveEntry hardLinkEntry(const QByteArray &name, const QByteArray &target)
{
    RawArchiveEntry entry;
    entry.name = name;
    entry.linkTarget = target;
    entry.hardLink = true;
    return entry;
}

RawArchiveEntry encryptedEntry(const QByteArray &name, const QByteArray &data)
{
    RawArchiveEntry entry = fileEntry(name, data);
    entry.encrypted = true;
    return entry;
}

bool writeRawArchive(const QString &path, bool zip, bool gzip, const QList<RawArchiveEntry> &entries,
                     QString *error)
{
    struct archive *writer = archive_write_new();
    if (zip)
        archive_write_set_format_zip(writer);
    else
        archive_write_set_format_gnutar(writer);
    if (gzip)
        archive_write_add_filter_gzip(writer);
    // libarchive sets encryption for a whole archive before it is opened, so an archive with
    // one encrypted entry has only encrypted entries.
    const bool encrypted = std::any_of(entries.cbegin(), entries.cend(),
                                       [](const RawArchiveEntry &entry) { return entry.encrypted; });
    if (encrypted
        && (archive_write_set_format_option(writer, "zip", "encryption", "zipcrypt") != ARCHIVE_OK
            || archive_write_set_passphrase(writer, "accrete-test") != ARCHIVE_OK)) {
        *error = QStringLiteral("libarchive cannot write encrypted zip entries: %1")
                     .arg(QString::fromUtf8(archive_error_string(writer)));
        archive_write_free(writer);
        return false;
    }
    if (archive_write_open_filename(writer, QFile::encodeName(path).constData()) != ARCHIVE_OK) {
        *error = QStringLiteral("cannot create %1: %2")
                     .arg(path, QString::fromUtf8(archive_error_string(writer)));
        archive_write_free(writer);
        return false;
    }
    bool ok = true;
    for (const RawArchiveEntry &entry : entries) {
        struct archive_entry *header = archive_entry_new();
        archive_entry_copy_pathname(header, entry.name.constData());
        archive_entry_set_perm(header, 0644);
        archive_entry_set_mtime(header, 1700000000, 0);
        if (entry.hardLink) {
            archive_entry_set_filetype(header, AE_IFREG);
            archive_entry_copy_hardlink(header, entry.linkTarget.constData());
            archive_entry_set_size(header, 0);
        } else {
            archive_entry_set_filetype(header, entry.fileType);
            if (entry.fileType == AE_IFLNK)
                archive_entry_copy_symlink(header, entry.linkTarget.constData());
            if (entry.fileType == AE_IFCHR)
                archive_entry_set_rdev(header, makedev(1, 3));
            archive_entry_set_size(header, entry.fileType == AE_IFREG ? entry.data.size() : 0);
        }
        if (archive_write_header(writer, header) < ARCHIVE_WARN) {
            *error = QStringLiteral("cannot write entry %1: %2")
                         .arg(QString::fromLatin1(entry.name),
                              QString::fromUtf8(archive_error_string(writer)));
            ok = false;
        } else if (entry.fileType == AE_IFREG && !entry.hardLink && !entry.data.isEmpty()
                   && archive_write_data(writer, entry.data.constData(), size_t(entry.data.size()))
                       < 0) {
            *error = QString::fromUtf8(archive_error_string(writer));
            ok = false;
        }
        archive_entry_free(header);
        if (!ok)
            break;
    }
    archive_write_close(writer);
    archive_write_free(writer);
    return ok;
}

// Writes a tar.gz with one `size`-byte entry of zeros, streamed in 1 MiB blocks.
bool writeZeroBomb(const QString &path, qint64 size, QString *error)
{
    struct archive *writer = archive_write_new();
    archive_write_set_format_gnutar(writer);
    archive_write_add_filter_gzip(writer);
    if (archive_write_open_filename(writer, QFile::encodeName(path).constData()) != ARCHIVE_OK) {
        *error = QString::fromUtf8(archive_error_string(writer));
        archive_write_free(writer);
        return false;
    }
    struct archive_entry *header = archive_entry_new();
    archive_entry_set_pathname(header, "photos/bomb.jpg");
    archive_entry_set_filetype(header, AE_IFREG);
    archive_entry_set_perm(header, 0644);
    archive_entry_set_size(header, size);
    archive_write_header(writer, header);
    const QByteArray block(1024 * 1024, '\0');
    for (qint64 written = 0; written < size; written += block.size())
        archive_write_data(writer, block.constData(), size_t(block.size()));
    archive_entry_free(header);
    archive_write_close(writer);
    archive_write_free(writer);
    return true;
}

QList<RawArchiveEntry> goodEntries()
{
    return {
        fileEntry(QByteArrayLiteral("photos/good-a.jpg"), readFile(photo(0))),
        fileEntry(QByteArrayLiteral("photos/good-b.jpg"), readFile(photo(1))),
    };
}

InputFixture archiveFixture(const QString &name, const QString &path, int added,
                            const QString &rejectedPath, const QString &reasonPattern)
{
    InputFixture fixture;
    fixture.name = name;
    fixture.category = QStringLiteral("archive");
    fixture.path = path;
    fixture.isArchive = true;
    fixture.addedItems = added;
    if (!reasonPattern.isEmpty()) {
        fixture.outcome = FixtureOutcome::Rejected;
        fixture.rejectedPath = rejectedPath;
        fixture.reason = QRegularExpression(reasonPattern, QRegularExpression::CaseInsensitiveOption);
    }
    return fixture;
}

InputFixture fileFixture(const QString &category, const QString &name, const QString &path,
                         const QString &reasonPattern = QString())
{
    InputFixture fixture;
    fixture.name = name;
    fixture.category = category;
    fixture.path = path;
    if (reasonPattern.isEmpty()) {
        fixture.outcome = FixtureOutcome::Added;
        fixture.addedItems = 1;
    } else {
        fixture.outcome = FixtureOutcome::Rejected;
        fixture.addedItems = 0;
        fixture.rejectedPath = QFileInfo(path).fileName();
        fixture.reason = QRegularExpression(reasonPattern, QRegularExpression::CaseInsensitiveOption);
    }
    return fixture;
}

} // namespace

QByteArray withExifOrientation(const QByteArray &jpeg, int orientation)
{
    // TIFF header (little endian) with one IFD holding a single SHORT tag 0x0112.
    QByteArray tiff("II*\0", 4);
    QByteArray word(4, '\0');
    qToLittleEndian<quint32>(8, word.data());
    tiff += word;
    QByteArray ifd(2 + 12 + 4, '\0');
    qToLittleEndian<quint16>(1, ifd.data());
    qToLittleEndian<quint16>(0x0112, ifd.data() + 2);
    qToLittleEndian<quint16>(3, ifd.data() + 4);
    qToLittleEndian<quint32>(1, ifd.data() + 6);
    qToLittleEndian<quint16>(quint16(orientation), ifd.data() + 10);
    tiff += ifd;

    const QByteArray payload = QByteArray("Exif\0\0", 6) + tiff;
    QByteArray length(2, '\0');
    qToBigEndian<quint16>(quint16(payload.size() + 2), length.data());
    return jpeg.left(2) + QByteArray("\xff\xe1", 2) + length + payload + jpeg.mid(2);
}

QList<InputFixture> makeImageFixtures(const QString &directory, QString *error)
{
    const QDir dir(directory + QStringLiteral("/images"));
    QDir().mkpath(dir.path());
    QList<InputFixture> fixtures;
    const QString category = QStringLiteral("image");
    const QByteArray jpeg = readFile(firstJpegPhoto());
    if (jpeg.size() < 4096) {
        *error = QStringLiteral("no JPEG photo found in %1; install opencv-doc").arg(opencvDataDir());
        return {};
    }

    auto add = [&](const QString &name, const QString &fileName, const QByteArray &data,
                   const QString &reason = QString()) {
        const QString path = dir.filePath(fileName);
        if (!writeFile(path, data, error))
            return false;
        fixtures.append(fileFixture(category, name, path, reason));
        return true;
    };

    bool ok = add(QStringLiteral("jpeg truncated in header"), QStringLiteral("cut-header.jpg"),
                  jpeg.left(160), QStringLiteral("truncated|corrupt"))
        && add(QStringLiteral("jpeg truncated in scan data"), QStringLiteral("cut-scan.jpg"),
               jpeg.left(jpeg.size() * 6 / 10), QStringLiteral("truncated"))
        && add(QStringLiteral("zero bytes"), QStringLiteral("empty.jpg"), QByteArray(),
               QStringLiteral("empty"));
    if (!ok)
        return {};

    QByteArray junk(8192, '\0');
    QRandomGenerator generator(20261204);
    for (char &byte : junk)
        byte = char(generator.bounded(256));
    if (!add(QStringLiteral("junk bytes"), QStringLiteral("junk.jpg"), junk,
             QStringLiteral("unrecognised|not an image")))
        return {};

    // A PNG under a .jpg name must be sniffed from its content and added.
    const QString pngSource = photo(2);
    QImage pngImage(pngSource);
    QByteArray pngBytes;
    {
        QBuffer buffer(&pngBytes);
        buffer.open(QIODevice::WriteOnly);
        pngImage.save(&buffer, "PNG");
    }
    if (!add(QStringLiteral("png saved as jpg"), QStringLiteral("really-a-png.jpg"), pngBytes))
        return {};

    if (!add(QStringLiteral("png header declaring 100000x100000"), QStringLiteral("huge-header.png"),
             hugeDimensionPng(100000, 100000), QStringLiteral("exceed")))
        return {};

    // 9000x8000 RGB32 needs 288 MB, above Qt's default 256 MB allocation limit: a real
    // camera can produce it, so it must be decoded scaled, not rejected.
    {
        QImage big(9000, 8000, QImage::Format_RGB32);
        QPainter painter(&big);
        QLinearGradient gradient(0, 0, 9000, 8000);
        gradient.setColorAt(0, QColor(30, 90, 160));
        gradient.setColorAt(1, QColor(220, 170, 60));
        painter.fillRect(big.rect(), gradient);
        painter.end();
        if (!add(QStringLiteral("jpeg above the default allocation limit"),
                 QStringLiteral("large-9000x8000.jpg"), encodeJpeg(big, 70)))
            return {};
        fixtures.last().expectedWidth = 9000;
        fixtures.last().expectedHeight = 8000;
    }

    if (!add(QStringLiteral("broken exif block"), QStringLiteral("broken-exif.jpg"),
             brokenExifJpeg(jpeg)))
        return {};

    // A 320x200 picture with each EXIF orientation: 5 to 8 swap width and height.
    const QImage base = QImage::fromData(jpeg).scaled(320, 200, Qt::IgnoreAspectRatio,
                                                      Qt::SmoothTransformation);
    const QByteArray baseJpeg = encodeJpeg(base);
    for (int orientation = 2; orientation <= 8; ++orientation) {
        if (!add(QStringLiteral("exif orientation %1").arg(orientation),
                 QStringLiteral("orientation-%1.jpg").arg(orientation),
                 withExifOrientation(baseJpeg, orientation)))
            return {};
        const bool swapped = orientation >= 5;
        fixtures.last().expectedWidth = swapped ? 200 : 320;
        fixtures.last().expectedHeight = swapped ? 320 : 200;
    }

    struct Converted
    {
        const char *name;
        const char *fileName;
        QStringList arguments; // between the input and the output
        const char *reason;    // empty: must be added
    };
    const QList<Converted> conversions = {
        { "cmyk jpeg", "cmyk.jpg", { QStringLiteral("-colorspace"), QStringLiteral("CMYK") }, "" },
        { "16-bit png", "deep.png", { QStringLiteral("-depth"), QStringLiteral("16") }, "" },
        { "palette png", "PNG8:palette.png", { QStringLiteral("-colors"), QStringLiteral("64") }, "" },
        { "png with alpha", "alpha.png",
          { QStringLiteral("-alpha"), QStringLiteral("set"), QStringLiteral("-channel"),
            QStringLiteral("A"), QStringLiteral("-evaluate"), QStringLiteral("set"),
            QStringLiteral("50%") },
          "" },
        { "heic", "photo.heic", { QStringLiteral("-resize"), QStringLiteral("400x400") }, "" },
        { "unsupported psd", "layers.psd", {}, "unsupported|unrecognised" },
        { "unsupported jpeg 2000", "photo.jp2", {}, "unsupported|unrecognised" },
    };
    for (const Converted &conversion : conversions) {
        const QString target = QString::fromLatin1(conversion.fileName);
        const QString prefix = target.section(QLatin1Char(':'), 0, -2);
        const QString fileName = target.section(QLatin1Char(':'), -1);
        const QString path = dir.filePath(fileName);
        QStringList arguments{ firstJpegPhoto(1), QStringLiteral("-resize"), QStringLiteral("640x640>") };
        arguments += conversion.arguments;
        arguments += prefix.isEmpty() ? path : prefix + QLatin1Char(':') + path;
        if (!runTool(imageMagick, arguments, error))
            return {};
        fixtures.append(fileFixture(category, QLatin1String(conversion.name), path,
                                    QLatin1String(conversion.reason)));
    }

    // Animated pictures: the first frame is the item.
    const QStringList frames{ firstJpegPhoto(0), firstJpegPhoto(1), firstJpegPhoto(2) };
    for (const char *format : { "gif", "webp" }) {
        const QString path = dir.filePath(QStringLiteral("animated.%1").arg(QLatin1String(format)));
        QStringList arguments{ QStringLiteral("-delay"), QStringLiteral("20") };
        arguments += frames;
        arguments += { QStringLiteral("-resize"), QStringLiteral("200x150!"), QStringLiteral("-loop"),
                       QStringLiteral("0"), path };
        if (!runTool(imageMagick, arguments, error))
            return {};
        fixtures.append(fileFixture(category, QStringLiteral("animated %1").arg(QLatin1String(format)),
                                    path));
    }
    return fixtures;
}

QList<InputFixture> makeArchiveFixtures(const QString &directory, QString *error)
{
    const QDir dir(directory + QStringLiteral("/archives"));
    QDir().mkpath(dir.path());
    QList<InputFixture> fixtures;
    const QByteArray photoBytes = readFile(photo(3));
    if (photoBytes.isEmpty()) {
        *error = QStringLiteral("no photos found in %1; install opencv-doc").arg(opencvDataDir());
        return {};
    }

    struct Case
    {
        const char *name;
        const char *fileName;
        bool zip;
        RawArchiveEntry bad;
        int extraAdded;
        const char *rejectedPath;
        const char *reason;
        const char *escapeName;
    };
    const QList<Case> cases = {
        { "archive entry with dotdot", "dotdot.tar", false,
          fileEntry(QByteArrayLiteral("../escaped-dotdot.jpg"), photoBytes), 0, "escaped-dotdot.jpg",
          "unsafe", "escaped-dotdot.jpg" },
        { "archive entry with nested dotdot", "nested-dotdot.zip", true,
          fileEntry(QByteArrayLiteral("photos/../../escaped-nested.jpg"), photoBytes), 0,
          "escaped-nested.jpg", "unsafe", "escaped-nested.jpg" },
        { "archive entry with absolute path", "absolute.tar", false,
          fileEntry(QByteArrayLiteral("/tmp/accrete-escaped-absolute.jpg"), photoBytes), 0,
          "accrete-escaped-absolute.jpg", "unsafe", "accrete-escaped-absolute.jpg" },
        { "archive entry with drive letter", "drive.zip", true,
          fileEntry(QByteArrayLiteral("C:\\escaped-drive.jpg"), photoBytes), 0, "escaped-drive.jpg",
          "unsafe", "escaped-drive.jpg" },
        { "archive symlink entry", "symlink.tar", false,
          specialEntry(QByteArrayLiteral("photos/passwd.jpg"), AE_IFLNK,
                       QByteArrayLiteral("/etc/passwd")),
          0, "passwd.jpg", "link", nullptr },
        { "archive hardlink entry", "hardlink.tar", false,
          hardLinkEntry(QByteArrayLiteral("photos/hard.jpg"), QByteArrayLiteral("photos/good-a.jpg")),
          0, "hard.jpg", "link", nullptr },
        { "archive device entry", "device.tar", false,
          specialEntry(QByteArrayLiteral("photos/null-device"), AE_IFCHR), 0, "null-device",
          "special", nullptr },
        { "archive fifo entry", "fifo.tar", false,
          specialEntry(QByteArrayLiteral("photos/pipe"), AE_IFIFO), 0, "pipe", "special",
          nullptr },
        { "archive encrypted entry", "encrypted.zip", true,
          encryptedEntry(QByteArrayLiteral("photos/secret.jpg"), photoBytes),
          0, "secret.jpg", "encrypt", nullptr },
        { "archive name not utf-8", "latin1-name.tar", false,
          fileEntry(QByteArrayLiteral("photos/caf\xe9 cr\xe8me.jpg"), photoBytes), 1, "", "", nullptr },
        { "archive with two entries of one path", "same-path.tar", false,
          fileEntry(QByteArrayLiteral("photos/good-a.jpg"), photoBytes), 1, "", "", nullptr },
    };
    for (const Case &testCase : cases) {
        QList<RawArchiveEntry> entries;
        if (!testCase.bad.encrypted)
            entries = goodEntries();
        entries.append(testCase.bad);
        const QString path = dir.filePath(QLatin1String(testCase.fileName));
        if (!writeRawArchive(path, testCase.zip, false, entries, error))
            return {};
        const int goodCount = testCase.bad.encrypted ? 0 : 2;
        InputFixture fixture = archiveFixture(QLatin1String(testCase.name), path,
                                              goodCount + testCase.extraAdded,
                                              QLatin1String(testCase.rejectedPath),
                                              QLatin1String(testCase.reason));
        fixture.escapeName = QLatin1String(testCase.escapeName);
        fixtures.append(fixture);
    }

    // An archive inside an archive is not expanded: it is not media.
    {
        const QString inner = dir.filePath(QStringLiteral("inner.zip"));
        if (!writeRawArchive(inner, true, false, goodEntries(), error))
            return {};
        QList<RawArchiveEntry> entries = goodEntries();
        entries.append(fileEntry(QByteArrayLiteral("photos/inner.zip"), readFile(inner)));
        const QString path = dir.filePath(QStringLiteral("nested.tar.gz"));
        if (!writeRawArchive(path, false, true, entries, error))
            return {};
        QFile::remove(inner);
        fixtures.append(archiveFixture(QStringLiteral("archive inside archive"), path, 2,
                                       QStringLiteral("inner.zip"),
                                       QStringLiteral("archive|unrecognised|not an image")));
    }

    // Truncated tar.gz: the cut lands inside the third member, so the first two survive.
    {
        const QString complete = dir.filePath(QStringLiteral("complete.tar.gz"));
        const QString firstTwo = dir.filePath(QStringLiteral("first-two.tar.gz"));
        QList<RawArchiveEntry> entries = goodEntries();
        entries.append(fileEntry(QByteArrayLiteral("photos/third.jpg"), photoBytes));
        if (!writeRawArchive(complete, false, true, entries, error)
            || !writeRawArchive(firstTwo, false, true, goodEntries(), error))
            return {};
        const QByteArray bytes = readFile(complete);
        const qint64 prefix = QFileInfo(firstTwo).size();
        const qint64 cut = prefix + (bytes.size() - prefix) / 2;
        const QString path = dir.filePath(QStringLiteral("truncated.tar.gz"));
        if (!writeFile(path, bytes.left(cut), error))
            return {};
        QFile::remove(complete);
        QFile::remove(firstTwo);
        fixtures.append(archiveFixture(QStringLiteral("truncated tar.gz"), path, 2, QString(),
                                       QStringLiteral("truncated|damaged|corrupt|unexpected end")));
    }

    // Corrupted zip: bytes in the middle of the second member's data are overwritten.
    {
        QList<RawArchiveEntry> entries = goodEntries();
        entries.append(fileEntry(QByteArrayLiteral("photos/good-c.jpg"), readFile(photo(4))));
        const QString path = dir.filePath(QStringLiteral("corrupted.zip"));
        if (!writeRawArchive(path, true, false, entries, error))
            return {};
        QByteArray bytes = readFile(path);
        const qint64 secondHeader = bytes.indexOf("PK\x03\x04", 4);
        if (secondHeader < 0) {
            *error = QStringLiteral("cannot find the second member of %1").arg(path);
            return {};
        }
        const qint64 middle = secondHeader + 200 + entries.at(1).data.size() / 3;
        for (qint64 i = middle; i < middle + 512 && i < bytes.size(); ++i)
            bytes[i] = char(0x5a ^ bytes.at(i));
        if (!writeFile(path, bytes, error))
            return {};
        fixtures.append(archiveFixture(QStringLiteral("corrupted zip"), path, 2,
                                       QStringLiteral("good-b.jpg"),
                                       QStringLiteral("corrupt|damaged|crc|truncated|invalid")));
    }

    // 300 MB of zeros compress to about 300 KB: a ratio of about 1000.
    {
        const QString path = dir.filePath(QStringLiteral("bomb.tar.gz"));
        if (!writeZeroBomb(path, qint64(300) * 1024 * 1024, error))
            return {};
        fixtures.append(archiveFixture(QStringLiteral("compression bomb"), path, 0,
                                       QStringLiteral("bomb.jpg"),
                                       QStringLiteral("compression|too large|ratio")));
    }
    return fixtures;
}

QList<InputFixture> makeVideoFixtures(const QString &directory, QString *error)
{
    const QDir dir(directory + QStringLiteral("/videos"));
    QDir().mkpath(dir.path());
    QList<InputFixture> fixtures;
    const QString category = QStringLiteral("video");
    const QByteArray avi = readFile(opencvDataDir() + QStringLiteral("/Megamind.avi"));
    if (avi.isEmpty()) {
        *error = QStringLiteral("Megamind.avi not found in %1; install opencv-doc").arg(opencvDataDir());
        return {};
    }

    const QString early = dir.filePath(QStringLiteral("cut-early.avi"));
    const QString midway = dir.filePath(QStringLiteral("cut-midway.avi"));
    if (!writeFile(early, avi.left(4096), error) || !writeFile(midway, avi.left(avi.size() * 4 / 10), error))
        return {};
    fixtures.append(fileFixture(category, QStringLiteral("video truncated in the header"), early,
                                QStringLiteral("truncated|corrupt|no video stream")));
    fixtures.append(fileFixture(category, QStringLiteral("video truncated midway"), midway));

    const QString audio = dir.filePath(QStringLiteral("audio-only.mp4"));
    if (!runTool(ffmpeg,
                 { QStringLiteral("-nostdin"), QStringLiteral("-y"), QStringLiteral("-loglevel"),
                   QStringLiteral("error"), QStringLiteral("-f"), QStringLiteral("lavfi"),
                   QStringLiteral("-i"), QStringLiteral("sine=frequency=440:duration=1"), audio },
                 error))
        return {};
    fixtures.append(fileFixture(category, QStringLiteral("no video stream"), audio,
                                QStringLiteral("no video stream")));

    // Frame durations from 40 ms to 400 ms: timestamps are not a multiple of any frame rate.
    const QString variable = dir.filePath(QStringLiteral("variable-rate.mp4"));
    if (!runTool(ffmpeg,
                 { QStringLiteral("-nostdin"), QStringLiteral("-y"), QStringLiteral("-loglevel"),
                   QStringLiteral("error"), QStringLiteral("-f"), QStringLiteral("lavfi"),
                   QStringLiteral("-i"), QStringLiteral("testsrc=size=160x120:rate=25:duration=2"),
                   QStringLiteral("-vf"),
                   QStringLiteral("setpts='if(lt(N,25),N*0.04,1+(N-25)*0.4)/TB'"),
                   QStringLiteral("-fps_mode"), QStringLiteral("vfr"), QStringLiteral("-c:v"),
                   QStringLiteral("mpeg4"), variable },
                 error))
        return {};
    fixtures.append(fileFixture(category, QStringLiteral("variable frame rate"), variable));

    const QString shortClip = dir.filePath(QStringLiteral("one-frame.mp4"));
    if (!runTool(ffmpeg,
                 { QStringLiteral("-nostdin"), QStringLiteral("-y"), QStringLiteral("-loglevel"),
                   QStringLiteral("error"), QStringLiteral("-f"), QStringLiteral("lavfi"),
                   QStringLiteral("-i"), QStringLiteral("testsrc=size=160x120:rate=25"),
                   QStringLiteral("-frames:v"), QStringLiteral("1"), QStringLiteral("-c:v"),
                   QStringLiteral("mpeg4"), shortClip },
                 error))
        return {};
    fixtures.append(fileFixture(category, QStringLiteral("very short clip"), shortClip));
    return fixtures;
}

QList<InputFixture> makePathFixtures(const QString &directory, QString *error)
{
    const QDir dir(directory + QStringLiteral("/paths"));
    QDir().mkpath(dir.path());
    QList<InputFixture> fixtures;
    const QString category = QStringLiteral("path");
    const QString source = photo(5);
    if (source.isEmpty()) {
        *error = QStringLiteral("no photos found in %1; install opencv-doc").arg(opencvDataDir());
        return {};
    }

    auto folderWith = [&](const QString &name, const QString &relativeFile) {
        const QString folder = dir.filePath(name);
        const QString target = folder + QLatin1Char('/') + relativeFile;
        QDir().mkpath(QFileInfo(target).absolutePath());
        if (!QFile::copy(source, target)) {
            *error = QStringLiteral("cannot copy %1 to %2").arg(source, target);
            return false;
        }
        InputFixture fixture;
        fixture.name = name;
        fixture.category = category;
        fixture.path = folder;
        fixture.addedItems = 1;
        fixtures.append(fixture);
        return true;
    };

    // A 240-character file name five folders deep: over 1,200 characters of path.
    const QString longComponent = QString(200, QLatin1Char('d'));
    const QString longPath = QStringList(5, longComponent).join(QLatin1Char('/')) + QLatin1Char('/')
        + QString(236, QLatin1Char('n')) + QStringLiteral(".jpg");
    if (!folderWith(QStringLiteral("very long path"), longPath)
        || !folderWith(QStringLiteral("unicode name"),
                       QStringLiteral("\u0444\u043e\u0442\u043e \u65e5\u672c \u00f1 \U0001F600.jpg"))
        || !folderWith(QStringLiteral("spaces and newline in name"),
                       QStringLiteral("with space\nand newline.jpg")))
        return {};

    // A folder that contains a symlink to itself: walking it must end.
    if (!folderWith(QStringLiteral("symlink loop"), QStringLiteral("photo.jpg")))
        return {};
    const QString loopFolder = fixtures.last().path;
    if (!QFile::link(loopFolder, loopFolder + QStringLiteral("/loop"))) {
        *error = QStringLiteral("cannot create a symlink in %1").arg(loopFolder);
        return {};
    }
    fixtures.last().outcome = FixtureOutcome::Rejected;
    fixtures.last().rejectedPath = QStringLiteral("loop");
    fixtures.last().reason = QRegularExpression(QStringLiteral("link"),
                                                QRegularExpression::CaseInsensitiveOption);
    return fixtures;
}

QList<InputFixture> makeAllInputFixtures(const QString &directory, QString *error)
{
    QList<InputFixture> all;
    for (auto make : { makeImageFixtures, makeArchiveFixtures, makeVideoFixtures, makePathFixtures }) {
        const QList<InputFixture> part = make(directory, error);
        if (part.isEmpty())
            return {};
        all += part;
    }
    return all;
}

} // namespace Accrete::TestSupport
