#include "filesource.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include "core/logging.h"

namespace Accrete {

namespace {

QString rejectionForSpecialFile(const QFileInfo &info)
{
    if (info.isSymLink())
        return QCoreApplication::translate("Accrete::Media", "symbolic link not followed");
    if (!info.exists())
        return QCoreApplication::translate("Accrete::Media", "file not found");
    if (!info.isFile() && !info.isDir())
        return QCoreApplication::translate("Accrete::Media",
                                           "special file (device, FIFO or socket)");
    return {};
}

} // namespace

FileSource::FileSource(const QStringList &paths, const SourceLimits &limits)
    : m_paths(paths)
    , m_limits(limits)
{
}

FileSource::~FileSource() = default;

bool FileSource::next(SourceEntry *entry)
{
    m_current.close();
    m_currentReadable = false;
    m_error.clear(); // read errors belong to the previous entry

    for (;;) {
        if (m_walker) {
            if (!m_walker->hasNext()) {
                m_walker.reset();
                continue;
            }
            const QString path = m_walker->next();
            const QFileInfo info = m_walker->fileInfo();
            // Directories are descended into by the iterator (symlinked ones are not, because
            // FollowSymlinks is not set); they are not entries themselves.
            if (info.isDir() && !info.isSymLink()) {
                if (info.isReadable() && info.isExecutable())
                    continue;
                // QDirIterator skips a folder it cannot list without a word, so it is
                // reported here instead.
                *entry = SourceEntry {};
                entry->relativePath
                    = m_walkName + QLatin1Char('/') + QDir(m_walkRoot).relativeFilePath(path);
                entry->origin = QStringLiteral("file");
                entry->originPath = info.absoluteFilePath();
                entry->rejectionReason
                    = QCoreApplication::translate("Accrete::Media", "folder not readable");
                return true;
            }
            const QString relative
                = m_walkName + QLatin1Char('/') + QDir(m_walkRoot).relativeFilePath(path);
            describe(path, relative, entry);
            return true;
        }

        if (m_nextPath >= m_paths.size())
            return false;

        const QString path = m_paths.at(m_nextPath++);
        const QFileInfo info(path);
        if (info.isDir() && !info.isSymLink()) {
            m_walkRoot = info.absoluteFilePath();
            m_walkName = info.fileName();
            if (m_walkName.isEmpty()) // the filesystem root
                m_walkName = QStringLiteral("root");
            m_walker = std::make_unique<QDirIterator>(
                m_walkRoot, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                QDirIterator::Subdirectories);
            qCDebug(lcPipeline) << "walking folder" << m_walkRoot;
            continue;
        }
        describe(path, info.fileName(), entry);
        return true;
    }
}

void FileSource::describe(const QString &path, const QString &relativePath, SourceEntry *entry)
{
    const QFileInfo info(path);
    *entry = SourceEntry {};
    entry->relativePath = relativePath;
    entry->origin = QStringLiteral("file");
    entry->originPath = info.absoluteFilePath();

    entry->rejectionReason = rejectionForSpecialFile(info);
    if (!entry->rejectionReason.isEmpty())
        return;

    entry->size = info.size();
    if (entry->size > m_limits.maxEntrySize || m_totalSize + entry->size > m_limits.maxTotalSize) {
        entry->rejectionReason = QCoreApplication::translate("Accrete::Media", "too large");
        return;
    }

    m_current.setFileName(info.absoluteFilePath());
    if (!m_current.open(QIODevice::ReadOnly)) {
        entry->rejectionReason
            = QCoreApplication::translate("Accrete::Media", "cannot open file: %1")
                  .arg(m_current.errorString());
        return;
    }
    m_totalSize += entry->size;
    m_currentReadable = true;
    entry->localFilePath = info.absoluteFilePath();
}

qint64 FileSource::read(char *data, qint64 maxSize)
{
    if (!m_currentReadable) {
        m_error
            = QCoreApplication::translate("Accrete::Media", "the current entry is not readable");
        return -1;
    }
    const qint64 count = m_current.read(data, maxSize);
    if (count < 0)
        m_error = QCoreApplication::translate("Accrete::Media", "cannot read %1: %2")
                      .arg(m_current.fileName(), m_current.errorString());
    return count;
}

QString FileSource::errorString() const
{
    return m_error;
}

} // namespace Accrete
