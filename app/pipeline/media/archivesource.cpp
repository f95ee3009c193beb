#include "archivesource.h"

#include <cerrno>

#include <archive.h>
#include <archive_entry.h>

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include "core/logging.h"
#include "pipeline/media/gzipstream.h"

namespace Accrete {

namespace {

constexpr size_t readBlockSize = 64 * 1024;

QString translated(const char *text)
{
    return QCoreApplication::translate("Accrete::Media", text);
}

// Returns the member name as UTF-8 text. libarchive converts from the archive's charset when it
// can; otherwise the raw bytes are decoded with replacement characters, so a name never fails.
QString entryName(struct archive_entry *entry)
{
    if (const char *utf8 = archive_entry_pathname_utf8(entry))
        return QString::fromUtf8(utf8);
    if (const char *raw = archive_entry_pathname(entry))
        return QString::fromUtf8(raw);
    return {};
}

// Returns true for names that could escape an extraction folder: absolute paths, ".."
// components and drive letters. Both separators count, as zip files written on Windows
// may use backslashes.
bool isUnsafeName(const QString &name)
{
    if (name.isEmpty() || name.startsWith(QLatin1Char('/')) || name.startsWith(QLatin1Char('\\')))
        return true;
    static const QRegularExpression driveLetter(QStringLiteral("^[A-Za-z]:"));
    if (driveLetter.match(name).hasMatch())
        return true;
    static const QRegularExpression separators(QStringLiteral("[/\\\\]"));
    const QStringList parts = name.split(separators, Qt::SkipEmptyParts);
    return parts.contains(QStringLiteral(".."));
}

// Returns `name` with '/' separators and no "." or empty components.
QString normalisedName(const QString &name)
{
    static const QRegularExpression separators(QStringLiteral("[/\\\\]"));
    QStringList parts = name.split(separators, Qt::SkipEmptyParts);
    parts.removeAll(QStringLiteral("."));
    return parts.join(QLatin1Char('/'));
}

int openGzip(struct archive *archive, void *clientData)
{
    auto *stream = static_cast<GzipStream *>(clientData);
    if (stream->open())
        return ARCHIVE_OK;
    archive_set_error(archive, EIO, "%s", stream->errorString().toUtf8().constData());
    return ARCHIVE_FATAL;
}

la_ssize_t readGzip(struct archive *archive, void *clientData, const void **block)
{
    auto *stream = static_cast<GzipStream *>(clientData);
    const qint64 count = stream->read(block);
    if (count < 0) {
        archive_set_error(archive, EIO, "%s", stream->errorString().toUtf8().constData());
        return ARCHIVE_FATAL;
    }
    return la_ssize_t(count);
}

} // namespace

ArchiveSource::ArchiveSource(const QString &archivePath, const SourceLimits &limits)
    : m_archivePath(archivePath)
    , m_limits(limits)
{
}

ArchiveSource::~ArchiveSource()
{
    // Freed before m_gzip, which libarchive reads from until then.
    if (m_archive)
        archive_read_free(m_archive);
}

bool ArchiveSource::open()
{
    m_opened = true;
    m_archiveSize = QFileInfo(m_archivePath).size();
    m_archive = archive_read_new();
    archive_read_support_filter_all(m_archive);
    archive_read_support_format_all(m_archive);
    // libarchive 3.6's gzip filter fails a whole 64 KiB output block whose input ends inside
    // it, losing the members before a truncation, so gzip files are decompressed here.
    int status = ARCHIVE_OK;
    if (GzipStream::isGzipFile(m_archivePath)) {
        m_gzip = std::make_unique<GzipStream>(m_archivePath);
        status = archive_read_open(m_archive, m_gzip.get(), &openGzip, &readGzip, nullptr);
    } else {
        status = archive_read_open_filename(m_archive, QFile::encodeName(m_archivePath).constData(),
                                            readBlockSize);
    }
    if (status != ARCHIVE_OK) {
        m_error = QCoreApplication::translate("Accrete::Media", "cannot open archive %1: %2")
                      .arg(m_archivePath, QString::fromUtf8(archive_error_string(m_archive)));
        qCWarning(lcPipeline) << "cannot open archive" << m_archivePath << m_error;
        m_finished = true;
        return false;
    }
    qCDebug(lcPipeline) << "reading archive" << m_archivePath;
    return true;
}

bool ArchiveSource::reopenAfterDamage()
{
    m_reopenAfterDamage = false;
    const QString damage = m_error;
    const qsizetype skip = m_headersRead;
    archive_read_free(m_archive);
    m_archive = nullptr;
    m_gzip.reset();
    if (!open()) {
        m_error = damage;
        return false;
    }
    // Headers are read without their data; libarchive skips compressed data when the
    // format records its size, and decompresses it otherwise.
    for (qsizetype i = 0; i < skip; ++i) {
        struct archive_entry *header = nullptr;
        if (archive_read_next_header(m_archive, &header) < ARCHIVE_WARN) {
            m_error = damage;
            m_finished = true;
            return false;
        }
    }
    return true;
}

void ArchiveSource::failDamaged(const QString &libarchiveMessage)
{
    m_error = QCoreApplication::translate("Accrete::Media", "archive damaged after %n entries: %1",
                                          nullptr, int(m_entryCount))
                  .arg(libarchiveMessage);
    qCWarning(lcPipeline) << "archive" << m_archivePath << "damaged:" << libarchiveMessage;
    m_finished = true;
    m_currentReadable = false;
}

bool ArchiveSource::next(SourceEntry *entry)
{
    if (!m_opened && !open())
        return false;
    if (m_reopenAfterDamage && !reopenAfterDamage())
        return false;
    // An entry's read error was reported through read(); only errors that end the source
    // stay in errorString() after next().
    if (!m_finished)
        m_error.clear();
    m_currentReadable = false;
    m_entryRead = 0;

    while (!m_finished) {
        struct archive_entry *header = nullptr;
        int status = archive_read_next_header(m_archive, &header);
        for (int retry = 0; status == ARCHIVE_RETRY && retry < 3; ++retry)
            status = archive_read_next_header(m_archive, &header);
        if (status == ARCHIVE_EOF) {
            m_finished = true;
            // The gzip CRC sits after the tar end marker, so a corruption that still inflates
            // is only found by decompressing the rest of the stream.
            // NOTE: the member holding such a corruption has already been yielded and read.
            if (m_gzip && !m_gzip->drain())
                failDamaged(m_gzip->errorString());
            return false;
        }
        if (status < ARCHIVE_WARN) {
            failDamaged(QString::fromUtf8(archive_error_string(m_archive)));
            return false;
        }
        ++m_headersRead;

        const mode_t type = archive_entry_filetype(header);
        if (type == AE_IFDIR)
            continue;

        const QString name = entryName(header);
        *entry = SourceEntry {};
        entry->origin = QStringLiteral("archive");
        entry->relativePath = normalisedName(name);
        entry->originPath = m_archivePath + QLatin1Char('!') + name;
        if (archive_entry_size_is_set(header))
            entry->size = archive_entry_size(header);
        ++m_entryCount;

        // NOTE: SourceLimits::maxNestingDepth is not read: an archive inside an archive is
        // always yielded as an ordinary member, which is what the default depth 0 asks for.
        if (isUnsafeName(name)) {
            entry->rejectionReason = translated("unsafe archive path");
        } else if (archive_entry_hardlink(header) || type == AE_IFLNK) {
            entry->rejectionReason = translated("link entry not followed");
        } else if (type != AE_IFREG) {
            entry->rejectionReason = translated("special file (device, FIFO or socket)");
        } else if (archive_entry_is_encrypted(header)) {
            entry->rejectionReason = translated("encrypted entry");
        } else if (entry->size > m_limits.maxEntrySize
                   || m_totalDeclared + std::max<qint64>(entry->size, 0) > m_limits.maxTotalSize) {
            entry->rejectionReason = translated("too large");
        } else if (m_archiveSize > 0 && entry->size > 0
                   && m_totalDeclared + entry->size > m_limits.minBytesForRatioCheck
                   && double(m_totalDeclared + entry->size) / double(m_archiveSize)
                       > m_limits.maxCompressionRatio) {
            entry->rejectionReason = translated("compression ratio above limit");
        }

        if (entry->rejectionReason.isEmpty()) {
            m_totalDeclared += std::max<qint64>(entry->size, 0);
            m_currentReadable = true;
        } else {
            qCDebug(lcPipeline) << "archive member rejected" << entry->originPath
                                << entry->rejectionReason;
        }
        return true;
    }
    return false;
}

qint64 ArchiveSource::read(char *data, qint64 maxSize)
{
    if (!m_currentReadable) {
        if (m_error.isEmpty())
            m_error = translated("the current entry is not readable");
        return -1;
    }

    const la_ssize_t count = archive_read_data(m_archive, data, size_t(maxSize));
    if (count < 0) {
        const QString message = QString::fromUtf8(archive_error_string(m_archive));
        if (count == ARCHIVE_FATAL) {
            // libarchive refuses every call after a fatal error, but the members after a
            // damaged one are often intact (a zip member's compressed size is known), so the
            // next call to next() reopens the archive and skips past it.
            m_error = QCoreApplication::translate("Accrete::Media",
                                                  "archive damaged after %n entries: %1", nullptr,
                                                  int(m_entryCount))
                          .arg(message);
            qCWarning(lcPipeline) << "archive" << m_archivePath << "member" << m_entryCount
                                  << "damaged:" << message;
            m_currentReadable = false;
            m_reopenAfterDamage = true;
        } else {
            m_error = QCoreApplication::translate("Accrete::Media", "corrupt archive entry: %1")
                          .arg(message);
            m_currentReadable = false;
        }
        return -1;
    }

    m_entryRead += count;
    m_totalRead += count;
    // Declared sizes can lie, so the limits are enforced again on the bytes actually read.
    if (m_entryRead > m_limits.maxEntrySize || m_totalRead > m_limits.maxTotalSize) {
        m_error = translated("too large");
        m_currentReadable = false;
        return -1;
    }
    if (m_archiveSize > 0 && m_totalRead > m_limits.minBytesForRatioCheck
        && double(m_totalRead) / double(m_archiveSize) > m_limits.maxCompressionRatio) {
        // Every later member would only raise the ratio further, so the archive ends here.
        m_error = translated("compression ratio above limit");
        qCWarning(lcPipeline) << "archive" << m_archivePath << "exceeds the compression ratio"
                              << m_limits.maxCompressionRatio;
        m_currentReadable = false;
        m_finished = true;
        return -1;
    }
    return count;
}

QString ArchiveSource::errorString() const
{
    return m_error;
}

} // namespace Accrete
