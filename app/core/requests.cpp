#include "requests.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace Accrete {

int AddMediaRequest::sourceCount() const
{
    return (files.isEmpty() ? 0 : 1) + (archive.isEmpty() ? 0 : 1) + (s3Uri.isEmpty() ? 0 : 1)
        + (path.isEmpty() ? 0 : 1);
}

std::optional<ServiceError> AddMediaRequest::validate() const
{
    if (sourceCount() != 1)
        return ServiceError::exactlyOneSource();
    if (!s3Uri.isEmpty() && !isValidS3Uri(s3Uri))
        return ServiceError::invalidS3Uri(s3Uri);
    return std::nullopt;
}

AddMediaRequest AddMediaRequest::fromLocalPath(const QString &localPath, bool autoReindex)
{
    AddMediaRequest request;
    request.autoReindex = autoReindex;
    const QFileInfo info(localPath);
    if (info.isFile() && hasArchiveExtension(info.fileName()))
        request.archive = info.absoluteFilePath();
    else
        request.files = QStringList{ info.absoluteFilePath() };
    return request;
}

bool isValidS3Uri(const QString &uri)
{
    // Bucket names: 3-63 characters of lower-case letters, digits, dots and hyphens,
    // starting and ending with a letter or digit.
    static const QRegularExpression pattern(
        QStringLiteral("^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/[^\\x00-\\x1f]*)?$"));
    const auto match = pattern.match(uri);
    if (!match.hasMatch())
        return false;
    return !match.captured(1).contains(QLatin1String(".."));
}

bool hasArchiveExtension(const QString &fileName)
{
    const QString lower = fileName.toLower();
    static const char *const suffixes[] = { ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2",
                                            ".tbz2", ".tar.xz", ".txz", ".7z" };
    for (const char *suffix : suffixes) {
        if (lower.endsWith(QLatin1String(suffix)))
            return true;
    }
    return false;
}

} // namespace Accrete
