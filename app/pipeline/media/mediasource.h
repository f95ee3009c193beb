#pragma once

#include <memory>

#include <QString>
#include <QStringList>

namespace Accrete {

// One entry a source yields: a file of a folder, an archive member or an S3 object.
struct SourceEntry
{
    QString relativePath; // path inside the dropped folder or archive, '/'-separated, UTF-8
    QString origin;       // "file", "archive", "s3", "path"
    QString originPath;   // the local file, or "archive.zip!member/path"
    qint64 size = -1;     // bytes, -1 when the source does not know in advance

    // Non-empty for a plain local file: the store may hard-link it instead of copying.
    QString localFilePath;

    // Non-empty when the entry cannot be added (symlink, unsafe path, encrypted, device,
    // FIFO, ...). The entry is reported with this reason and its data is not read.
    QString rejectionReason;
};

// A stream of entries read one after the other, so that memory stays bounded however
// large the folder or archive. Not thread-safe; a source is read by one worker.
class MediaSource
{
public:
    virtual ~MediaSource() = default;

    // Advances to the next entry. Returns false at the end or on a fatal error of the
    // source itself (see errorString()); the entries read before the error stay valid.
    virtual bool next(SourceEntry *entry) = 0;

    // Reads up to `maxSize` bytes of the current entry's data. Returns the number of bytes
    // read, 0 at the end of the entry, or -1 on a read error (see errorString()). An error
    // on one entry does not end the source: next() may still return more entries.
    virtual qint64 read(char *data, qint64 maxSize) = 0;

    // The last error, for the user: "truncated gzip stream after 3 entries", ...
    virtual QString errorString() const = 0;
};

// Options that bound what a source will read.
struct SourceLimits
{
    qint64 maxEntrySize = qint64(4) * 1024 * 1024 * 1024; // bytes per entry
    qint64 maxTotalSize = qint64(64) * 1024 * 1024 * 1024; // bytes per batch, uncompressed
    double maxCompressionRatio = 200.0; // uncompressed/compressed bytes before an archive is
                                        // treated as a compression bomb
    int maxNestingDepth = 0;            // archives inside archives are stored as files at 0
    // Uncompressed bytes an archive may yield before maxCompressionRatio is enforced, so that
    // a small archive of highly compressible files (text, blank images) is not taken for a bomb.
    qint64 minBytesForRatioCheck = qint64(64) * 1024 * 1024;
};

// Opens a source over local files and folders. Folders are walked recursively without
// following symlinks; each file keeps its path relative to the folder it was found in.
std::unique_ptr<MediaSource> openFileSource(const QStringList &paths, const SourceLimits &limits);

// Opens an archive read by libarchive (zip, tar, tar.gz and the other formats it reads),
// streamed: nothing is extracted outside the caller's store.
std::unique_ptr<MediaSource> openArchiveSource(const QString &archivePath,
                                               const SourceLimits &limits);

} // namespace Accrete
