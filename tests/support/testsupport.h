#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace Accrete::TestSupport {

// Folder of real photos and videos shipped by Debian's opencv-doc package.
QString opencvDataDir();

// Sorted absolute paths of the JPEG and PNG photos in opencvDataDir(). Empty if the package
// is missing; callers fail with a message that names the package.
QStringList opencvPhotos();

// Copies `count` photos, starting at `offset` in opencvPhotos(), into `targetDir` (created if
// needed) and returns the copies' paths. Returns fewer when the package has fewer.
QStringList copyPhotos(const QString &targetDir, int count, int offset = 0);

enum class ArchiveFormat {
    Zip,
    Tar,
    TarGz,
};

// One member of an archive written at test time. `data` is the content unless `sourceFile`
// is set, in which case that file's bytes are written.
struct ArchiveEntry
{
    QString name;
    QByteArray data;
    QString sourceFile;
};

// Writes an archive with libarchive. Returns false and sets `error` on failure.
bool writeArchive(const QString &archivePath, ArchiveFormat format,
                  const QList<ArchiveEntry> &entries, QString *error = nullptr);

// Writes an archive of `count` opencv-doc photos starting at `offset`, each under
// "photos/<name>", and returns the archive's path (empty on failure).
QString makePhotoArchive(const QString &archivePath, ArchiveFormat format, int count, int offset = 0);

} // namespace Accrete::TestSupport
