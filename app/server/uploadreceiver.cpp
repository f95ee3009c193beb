#include "uploadreceiver.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QUuid>

#include "core/logging.h"

namespace Accrete {

namespace {

bool isFileField(const QString &name)
{
    return name == QLatin1String("files") || name == QLatin1String("files[]")
        || name == QLatin1String("archive");
}

// Maximum file name length, in UTF-8 bytes, of ext4, XFS and Btrfs.
constexpr int maxFileNameBytes = 255;

} // namespace

UploadReceiver::UploadReceiver(QString uploadDir, qint64 maxBodySize)
    : m_uploadDir(std::move(uploadDir))
    , m_maxBodySize(maxBodySize)
{
}

UploadReceiver::~UploadReceiver()
{
    if (m_currentFile)
        m_currentFile->close();
    m_currentFile.reset();
    if (!m_released && !m_folder.isEmpty()) {
        if (!QDir(m_folder).removeRecursively())
            qCWarning(lcServer) << "Could not remove the upload folder" << m_folder;
    }
}

bool UploadReceiver::beginPart(const QString &name, const QString &clientFileName)
{
    if (m_failure != Failure::None)
        return m_failure != Failure::TooLarge;
    if (!closeCurrentFile())
        return false;
    if (m_inField) {
        m_fields.append({ m_currentFieldName, QString::fromUtf8(m_currentFieldValue) });
        m_inField = false;
        m_currentFieldValue.clear();
    }

    if (!isFileField(name)) {
        m_inField = true;
        m_currentFieldName = name;
        return true;
    }

    if (m_folder.isEmpty()) {
        const QString folder = QDir(m_uploadDir).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces));
        if (!QDir().mkpath(folder)) {
            return fail(Failure::WriteFailed,
                        QCoreApplication::translate("ApiServer", "Could not create the upload folder %1.")
                            .arg(folder));
        }
        m_folder = folder;
    }

    QString fileName = sanitizeFileName(clientFileName);
    if (fileName.isEmpty())
        fileName = QStringLiteral("upload-%1").arg(++m_unnamedCount);
    const QString path = uniquePath(fileName);
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        return fail(Failure::WriteFailed,
                    QCoreApplication::translate("ApiServer", "Could not write the uploaded file %1: %2")
                        .arg(fileName, file->errorString()));
    }
    m_currentFile = std::move(file);
    m_files.append({ name, path, clientFileName, 0 });
    return true;
}

bool UploadReceiver::appendData(const char *data, qint64 size)
{
    m_received += size;
    if (m_failure != Failure::None && m_failure != Failure::TooLarge)
        return true; // discard the rest of the body, so that the response can be read
    if (m_received > m_maxBodySize) {
        return fail(Failure::TooLarge,
                    QCoreApplication::translate(
                        "ApiServer", "Upload exceeds the maximum size of %1 bytes; split it into "
                                     "smaller requests or raise --max-upload-size.")
                        .arg(m_maxBodySize));
    }

    if (m_currentFile) {
        if (m_currentFile->write(data, size) != size) {
            return fail(Failure::WriteFailed,
                        QCoreApplication::translate("ApiServer", "Could not write the uploaded file %1: %2")
                            .arg(QFileInfo(m_currentFile->fileName()).fileName(),
                                 m_currentFile->errorString()));
        }
        m_files.last().size += size;
        return true;
    }
    if (m_inField) {
        if (m_currentFieldValue.size() + size > maxFieldSize) {
            return fail(Failure::FieldTooLarge,
                        QCoreApplication::translate("ApiServer",
                                                    "Form field '%1' is longer than %2 bytes.")
                            .arg(m_currentFieldName)
                            .arg(maxFieldSize));
        }
        m_currentFieldValue.append(data, size);
    }
    return true;
}

void UploadReceiver::addField(const QString &name, const QString &value)
{
    m_fields.append({ name, value });
}

bool UploadReceiver::finish()
{
    if (m_failure != Failure::None)
        return false;
    if (!closeCurrentFile())
        return false;
    if (m_inField) {
        m_fields.append({ m_currentFieldName, QString::fromUtf8(m_currentFieldValue) });
        m_inField = false;
        m_currentFieldValue.clear();
    }
    return true;
}

QStringList UploadReceiver::files(const QString &name) const
{
    QStringList paths;
    for (const StoredFile &file : m_files) {
        if (file.name == name && (file.size > 0 || !file.clientFileName.isEmpty()))
            paths.append(file.path);
    }
    return paths;
}

QStringList UploadReceiver::fieldValues(const QString &name) const
{
    QStringList values;
    for (const auto &[fieldName, value] : m_fields) {
        if (fieldName == name)
            values.append(value);
    }
    return values;
}

QStringList UploadReceiver::fieldNames() const
{
    QStringList names;
    for (const auto &field : m_fields)
        names.append(field.first);
    return names;
}

QString UploadReceiver::sanitizeFileName(const QString &clientFileName)
{
    // Browsers on Windows may send a full path; both separators end a directory name.
    QString name = clientFileName;
    const qsizetype separator = std::max(name.lastIndexOf(QLatin1Char('/')),
                                         name.lastIndexOf(QLatin1Char('\\')));
    if (separator >= 0)
        name = name.mid(separator + 1);

    QString cleaned;
    cleaned.reserve(name.size());
    for (const QChar character : std::as_const(name)) {
        if (character.unicode() >= 0x20 && character.unicode() != 0x7f)
            cleaned.append(character);
    }
    cleaned = cleaned.trimmed();
    if (cleaned == QLatin1String(".") || cleaned == QLatin1String(".."))
        return QString();

    // Shorten from the front of the base name so that the extension, which decides how an
    // archive is read, survives.
    while (cleaned.toUtf8().size() > maxFileNameBytes) {
        const qsizetype dot = cleaned.lastIndexOf(QLatin1Char('.'));
        if (dot > 0 && cleaned.size() - dot < 16)
            cleaned.remove(dot - 1, 1);
        else
            cleaned.chop(1);
    }
    return cleaned;
}

bool UploadReceiver::fail(Failure failure, const QString &detail)
{
    if (m_failure == Failure::None) {
        m_failure = failure;
        m_failureDetail = detail;
    }
    if (m_currentFile) {
        m_currentFile->close();
        m_currentFile->remove();
        m_currentFile.reset();
    }
    // After most failures the rest of the body is read and discarded, so that the client
    // receives the error response. Only a body over the size limit is cut off.
    // NOTE: that happens only for chunked bodies, because cpp-httplib skips a body whose
    // Content-Length is over the limit. The unread rest may then reach the client as a reset.
    return failure != Failure::TooLarge;
}

bool UploadReceiver::closeCurrentFile()
{
    if (!m_currentFile)
        return true;
    const bool flushed = m_currentFile->flush();
    const QString fileName = QFileInfo(m_currentFile->fileName()).fileName();
    const QString error = m_currentFile->errorString();
    m_currentFile->close();
    m_currentFile.reset();
    if (!flushed) {
        return fail(Failure::WriteFailed,
                    QCoreApplication::translate("ApiServer", "Could not write the uploaded file %1: %2")
                        .arg(fileName, error));
    }
    return true;
}

QString UploadReceiver::uniquePath(const QString &fileName)
{
    const QDir folder(m_folder);
    QString candidate = folder.filePath(fileName);
    if (!QFileInfo::exists(candidate))
        return candidate;

    // Two parts with the same client file name are two files: number the later ones before
    // the extension ("photo (2).jpg").
    const QFileInfo info(fileName);
    const QString suffix = info.completeSuffix();
    const QString base = suffix.isEmpty() ? fileName : fileName.left(fileName.size() - suffix.size() - 1);
    for (int number = 2;; ++number) {
        candidate = folder.filePath(suffix.isEmpty()
                                        ? QStringLiteral("%1 (%2)").arg(base).arg(number)
                                        : QStringLiteral("%1 (%2).%3").arg(base).arg(number).arg(suffix));
        if (!QFileInfo::exists(candidate))
            return candidate;
    }
}

} // namespace Accrete
