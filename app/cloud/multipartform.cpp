#include "multipartform.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHttpMultiPart>
#include <QMimeDatabase>
#include <QNetworkRequest>

namespace Accrete {

namespace {

// A quoted-string value for Content-Disposition; quotes, backslashes and line breaks in file
// names would otherwise end the header early.
QByteArray quoted(const QString &text)
{
    QByteArray value = text.toUtf8();
    value.replace('\\', "\\\\");
    value.replace('"', "\\\"");
    value.replace('\r', ' ');
    value.replace('\n', ' ');
    return '"' + value + '"';
}

} // namespace

void MultipartForm::addField(const QString &name, const QString &value)
{
    m_fields.append({ name, value });
}

void MultipartForm::addFile(const QString &name, const QString &filePath)
{
    m_files.append({ name, filePath });
}

QHttpMultiPart *MultipartForm::build(QObject *parent, QString *error) const
{
    auto *multipart = new QHttpMultiPart(QHttpMultiPart::FormDataType, parent);

    for (const Field &field : m_fields) {
        QHttpPart part;
        part.setHeader(QNetworkRequest::ContentDispositionHeader,
                       QByteArray("form-data; name=") + quoted(field.name));
        part.setBody(field.value.toUtf8());
        multipart->append(part);
    }

    const QMimeDatabase mimeDatabase;
    for (const FilePart &file : m_files) {
        auto *device = new QFile(file.path, multipart);
        if (!device->open(QIODevice::ReadOnly)) {
            if (error) {
                *error = QCoreApplication::translate("Accrete::MultipartForm",
                                                     "Cannot read %1 for upload: %2")
                             .arg(file.path, device->errorString());
            }
            delete multipart;
            return nullptr;
        }
        QHttpPart part;
        part.setHeader(QNetworkRequest::ContentDispositionHeader,
                       QByteArray("form-data; name=") + quoted(file.name)
                           + "; filename=" + quoted(QFileInfo(file.path).fileName()));
        part.setHeader(QNetworkRequest::ContentTypeHeader,
                       mimeDatabase.mimeTypeForFile(file.path).name().toLatin1());
        part.setBodyDevice(device);
        multipart->append(part);
    }
    return multipart;
}

} // namespace Accrete
