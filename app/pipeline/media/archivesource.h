#pragma once

#include <memory>

#include <QString>

#include "pipeline/media/mediasource.h"

struct archive;

namespace Accrete {

class GzipStream;

// Members of an archive read by libarchive (every format and filter it reads), streamed from
// the file with no extraction. Unsafe names, links, special files, encrypted members and
// members over the size limits are yielded with a rejection reason, and their data is never
// read. A damaged archive ends with next() returning false and errorString() set; the members
// read before the damage stay valid.
class ArchiveSource final : public MediaSource
{
public:
    ArchiveSource(const QString &archivePath, const SourceLimits &limits);
    ~ArchiveSource() override;

    ArchiveSource(const ArchiveSource &) = delete;
    ArchiveSource &operator=(const ArchiveSource &) = delete;

    bool next(SourceEntry *entry) override;
    qint64 read(char *data, qint64 maxSize) override;
    QString errorString() const override;

private:
    bool open();
    bool reopenAfterDamage();
    void failDamaged(const QString &libarchiveMessage);

    QString m_archivePath;
    SourceLimits m_limits;
    std::unique_ptr<GzipStream> m_gzip; // set for gzip-compressed archives
    struct archive *m_archive = nullptr;
    bool m_opened = false;
    bool m_finished = false;

    qint64 m_archiveSize = 0; // compressed bytes on disk
    qint64 m_totalRead = 0; // uncompressed bytes read from every member so far
    qint64 m_totalDeclared = 0; // declared sizes of the accepted members so far
    qint64 m_entryRead = 0;
    qsizetype m_entryCount = 0; // members yielded so far
    qsizetype m_headersRead = 0; // headers read, directories included
    bool m_reopenAfterDamage = false;
    bool m_currentReadable = false;
    QString m_error;
};

} // namespace Accrete
