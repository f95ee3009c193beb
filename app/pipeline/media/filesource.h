#pragma once

#include <QDirIterator>
#include <QFile>
#include <QStringList>

#include <memory>

#include "pipeline/media/mediasource.h"

namespace Accrete {

// Local files and folders, walked lazily with QDirIterator so that a folder of any size is
// never listed into memory. Symlinks are reported as rejected entries and not followed; FIFOs,
// sockets and devices are rejected without being opened.
class FileSource final : public MediaSource
{
public:
    FileSource(const QStringList &paths, const SourceLimits &limits);
    ~FileSource() override;

    bool next(SourceEntry *entry) override;
    qint64 read(char *data, qint64 maxSize) override;
    QString errorString() const override;

private:
    // Fills `entry` for the file at `path`, shown as `relativePath`.
    void describe(const QString &path, const QString &relativePath, SourceEntry *entry);

    QStringList m_paths;
    SourceLimits m_limits;
    qsizetype m_nextPath = 0;

    // The folder being walked, and the name it contributes as the first path component.
    std::unique_ptr<QDirIterator> m_walker;
    QString m_walkRoot;
    QString m_walkName;

    QFile m_current;
    bool m_currentReadable = false;
    qint64 m_totalSize = 0;
    QString m_error;
};

} // namespace Accrete
