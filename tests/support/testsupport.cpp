#include "testsupport.h"

#include <archive.h>
#include <archive_entry.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace Accrete::TestSupport {

QString opencvDataDir()
{
    return QStringLiteral("/usr/share/doc/opencv-doc/examples/data");
}

QStringList opencvPhotos()
{
    const QDir dir(opencvDataDir());
    const QFileInfoList infos = dir.entryInfoList(
        { QStringLiteral("*.jpg"), QStringLiteral("*.png") }, QDir::Files, QDir::Name);
    QStringList paths;
    for (const QFileInfo &info : infos) {
        // Keep real photos; a few of the package's PNGs are tiny synthetic masks.
        if (info.size() >= 8 * 1024)
            paths.append(info.absoluteFilePath());
    }
    return paths;
}

QStringList copyPhotos(const QString &targetDir, int count, int offset)
{
    QDir().mkpath(targetDir);
    const QStringList photos = opencvPhotos();
    QStringList copies;
    for (int i = offset; i < photos.size() && copies.size() < count; ++i) {
        const QString target = QDir(targetDir).filePath(QFileInfo(photos.at(i)).fileName());
        QFile::remove(target);
        if (QFile::copy(photos.at(i), target))
            copies.append(target);
    }
    return copies;
}

bool writeArchive(const QString &archivePath, ArchiveFormat format,
                  const QList<ArchiveEntry> &entries, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };

    struct archive *writer = archive_write_new();
    switch (format) {
    case ArchiveFormat::Zip:
        archive_write_set_format_zip(writer);
        break;
    case ArchiveFormat::Tar:
        archive_write_set_format_pax_restricted(writer);
        break;
    case ArchiveFormat::TarGz:
        archive_write_set_format_pax_restricted(writer);
        archive_write_add_filter_gzip(writer);
        break;
    }
    if (archive_write_open_filename(writer, QFile::encodeName(archivePath).constData())
        != ARCHIVE_OK) {
        const QString message = QString::fromUtf8(archive_error_string(writer));
        archive_write_free(writer);
        return fail(QStringLiteral("cannot create %1: %2").arg(archivePath, message));
    }

    bool ok = true;
    QString message;
    for (const ArchiveEntry &entry : entries) {
        QByteArray data = entry.data;
        if (!entry.sourceFile.isEmpty()) {
            QFile file(entry.sourceFile);
            if (!file.open(QIODevice::ReadOnly)) {
                ok = false;
                message = QStringLiteral("cannot read %1").arg(entry.sourceFile);
                break;
            }
            data = file.readAll();
        }
        struct archive_entry *header = archive_entry_new();
        const QByteArray name = entry.name.toUtf8();
        archive_entry_set_pathname(header, name.constData());
        archive_entry_set_size(header, data.size());
        archive_entry_set_filetype(header, AE_IFREG);
        archive_entry_set_perm(header, 0644);
        archive_entry_set_mtime(header, 1700000000, 0);
        if (archive_write_header(writer, header) != ARCHIVE_OK
            || archive_write_data(writer, data.constData(), size_t(data.size())) < 0) {
            ok = false;
            message = QString::fromUtf8(archive_error_string(writer));
        }
        archive_entry_free(header);
        if (!ok)
            break;
    }
    if (archive_write_close(writer) != ARCHIVE_OK && ok) {
        ok = false;
        message = QString::fromUtf8(archive_error_string(writer));
    }
    archive_write_free(writer);
    if (!ok)
        return fail(QStringLiteral("cannot write %1: %2").arg(archivePath, message));
    return true;
}

QString makePhotoArchive(const QString &archivePath, ArchiveFormat format, int count, int offset)
{
    const QStringList photos = opencvPhotos();
    QList<ArchiveEntry> entries;
    for (int i = offset; i < photos.size() && entries.size() < count; ++i) {
        entries.append({ QStringLiteral("photos/") + QFileInfo(photos.at(i)).fileName(),
                         QByteArray(), photos.at(i) });
    }
    if (entries.isEmpty() || !writeArchive(archivePath, format, entries))
        return QString();
    return archivePath;
}

} // namespace Accrete::TestSupport
