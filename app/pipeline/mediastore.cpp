#include "mediastore.h"

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QUuid>

#include "pipeline/media/mediasource.h"

namespace Accrete {

namespace {

constexpr qint64 copyBufferSize = 256 * 1024;

QString trStore(const char *text)
{
    return QCoreApplication::translate("Accrete::MediaStore", text);
}

// Returns ".jpg" for "photos/A.JPG", or an empty string when the name has no usable suffix.
QString storedSuffix(const QString &relativePath)
{
    const QString name = relativePath.section(QLatin1Char('/'), -1);
    const int dot = name.lastIndexOf(QLatin1Char('.'));
    if (dot <= 0 || name.size() - dot - 1 > 8)
        return QString();
    const QString suffix = name.mid(dot + 1).toLower();
    for (const QChar c : suffix) {
        if (!(c >= QLatin1Char('a') && c <= QLatin1Char('z')) && !(c >= QLatin1Char('0') && c <= QLatin1Char('9')))
            return QString();
    }
    return suffix.isEmpty() ? QString() : QLatin1Char('.') + suffix;
}

} // namespace

MediaStore::MediaStore(const QString &datasetDir)
    : m_datasetDir(QDir(datasetDir).absolutePath())
{
}

QString MediaStore::absolutePath(const QString &relativePath) const
{
    return QDir(m_datasetDir).filePath(relativePath);
}

QString MediaStore::stagingDir() const
{
    return QDir(m_datasetDir).filePath(QStringLiteral("staging"));
}

bool MediaStore::store(MediaSource &source, const SourceEntry &entry, StoredFile *stored,
                       QString *error)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const bool linkCandidate = !entry.localFilePath.isEmpty();

    // A local file is only hashed here; other entries are written to a staging file.
    QFile staging;
    const auto discardStaging = [&staging] {
        if (!staging.fileName().isEmpty())
            staging.remove();
    };
    if (!linkCandidate) {
        QDir().mkpath(stagingDir());
        staging.setFileName(QDir(stagingDir()).filePath(
            QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".part")));
        if (!staging.open(QIODevice::WriteOnly)) {
            *error = trStore("cannot write to the media store: %1").arg(staging.errorString());
            return false;
        }
    }

    QByteArray buffer(copyBufferSize, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const qint64 count = source.read(buffer.data(), buffer.size());
        if (count < 0) {
            *error = source.errorString();
            if (error->isEmpty())
                *error = trStore("read error");
            discardStaging();
            return false;
        }
        if (count == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), count));
        if (!linkCandidate && staging.write(buffer.constData(), count) != count) {
            *error = trStore("cannot write to the media store: %1").arg(staging.errorString());
            discardStaging();
            return false;
        }
        total += count;
    }
    if (staging.isOpen())
        staging.close();

    if (total == 0) {
        *error = trStore("empty file");
        discardStaging();
        return false;
    }

    stored->sha256 = QString::fromLatin1(hash.result().toHex());
    stored->size = total;
    const QString prefix = stored->sha256.left(2);
    stored->relativePath = QStringLiteral("media/%1/%2%3")
                               .arg(prefix, stored->sha256, storedSuffix(entry.relativePath));
    const QString target = absolutePath(stored->relativePath);
    QDir().mkpath(QFileInfo(target).absolutePath());

    // The same content may already be stored, possibly under another suffix.
    const QDir prefixDir(QFileInfo(target).absolutePath());
    const QStringList existing =
        prefixDir.entryList({ stored->sha256 + QLatin1Char('*') }, QDir::Files);
    for (const QString &name : existing) {
        if (name == stored->sha256 || name.startsWith(stored->sha256 + QLatin1Char('.'))) {
            stored->relativePath = QStringLiteral("media/%1/%2").arg(prefix, name);
            stored->alreadyStored = true;
            discardStaging();
            return true;
        }
    }

    if (linkCandidate) {
        const QByteArray from = QFile::encodeName(entry.localFilePath);
        const QByteArray to = QFile::encodeName(target);
        if (::link(from.constData(), to.constData()) == 0)
            return true;
        // EXDEV (another filesystem), EPERM (filesystem without hard links): copy instead.
        QDir().mkpath(stagingDir());
        staging.setFileName(QDir(stagingDir()).filePath(
            QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".part")));
        if (!QFile::copy(entry.localFilePath, staging.fileName())) {
            *error = trStore("cannot copy %1 into the media store").arg(entry.localFilePath);
            return false;
        }
    }

    if (!staging.rename(target)) {
        // Another operation may have stored the same content in the meantime.
        if (QFileInfo::exists(target)) {
            stored->alreadyStored = true;
            discardStaging();
            return true;
        }
        *error = trStore("cannot move the file into the media store: %1").arg(staging.errorString());
        discardStaging();
        return false;
    }
    return true;
}

QString MediaStore::storeThumbnail(const QString &sha256, const QImage &thumbnail) const
{
    if (thumbnail.isNull() || sha256.size() < 2)
        return QString();
    const QString relative = QStringLiteral("thumbs/%1/%2.jpg").arg(sha256.left(2), sha256);
    const QString target = absolutePath(relative);
    if (QFileInfo::exists(target))
        return relative;
    QDir().mkpath(QFileInfo(target).absolutePath());
    // JPEG has no alpha: a transparent picture is shown on white, as viewers show it, and
    // not on the black its zeroed transparent pixels would give.
    QImage opaque = thumbnail;
    if (thumbnail.hasAlphaChannel()) {
        opaque = QImage(thumbnail.size(), QImage::Format_RGB32);
        opaque.fill(Qt::white);
        QPainter painter(&opaque);
        painter.drawImage(0, 0, thumbnail);
        painter.end();
    }
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly) || !opaque.save(&file, "JPEG", 85) || !file.commit())
        return QString();
    return relative;
}

void MediaStore::remove(const QString &relativePath) const
{
    if (!relativePath.isEmpty())
        QFile::remove(absolutePath(relativePath));
}

void MediaStore::cleanStaging() const
{
    QDir staging(stagingDir());
    const QStringList parts = staging.entryList({ QStringLiteral("*.part") }, QDir::Files);
    for (const QString &name : parts)
        staging.remove(name);
}

} // namespace Accrete
