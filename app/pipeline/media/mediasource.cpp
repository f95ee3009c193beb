#include "mediasource.h"

#include "pipeline/media/archivesource.h"
#include "pipeline/media/filesource.h"

namespace Accrete {

std::unique_ptr<MediaSource> openFileSource(const QStringList &paths, const SourceLimits &limits)
{
    return std::make_unique<FileSource>(paths, limits);
}

std::unique_ptr<MediaSource> openArchiveSource(const QString &archivePath,
                                               const SourceLimits &limits)
{
    return std::make_unique<ArchiveSource>(archivePath, limits);
}

} // namespace Accrete
