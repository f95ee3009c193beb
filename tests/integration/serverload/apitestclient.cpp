#include "apitestclient.h"

#include <cstdlib>

#include <jwt.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHttpMultiPart>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QPainter>

#include "core/logging.h"
#include "testsupport.h"

namespace Accrete::ApiTestClient {

QByteArray makeToken(const TokenSpec &spec)
{
    jwt_t *token = nullptr;
    if (jwt_new(&token) != 0)
        return QByteArray();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray key = spec.key.toUtf8();
    const bool ok =
        jwt_set_alg(token, JWT_ALG_HS256, reinterpret_cast<const unsigned char *>(spec.secret.constData()),
                    int(spec.secret.size())) == 0
        && jwt_add_header(token, "kid", key.constData()) == 0
        && jwt_add_grant(token, "sub", key.constData()) == 0
        && jwt_add_grant_int(token, "iat", long(now)) == 0
        && jwt_add_grant_int(token, "exp", long(now + spec.expiresIn)) == 0;
    char *encoded = ok ? jwt_encode_str(token) : nullptr;
    const QByteArray result(encoded ? encoded : "");
    std::free(encoded);
    jwt_free(token);
    return result;
}

QHttpMultiPart *makeMultiPart(const QString &fileField, const QStringList &files,
                              const QList<std::pair<QString, QString>> &fields)
{
    auto *multiPart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
    for (const QString &path : files) {
        QHttpPart part;
        part.setHeader(QNetworkRequest::ContentDispositionHeader,
                       QStringLiteral("form-data; name=\"%1\"; filename=\"%2\"")
                           .arg(fileField, QFileInfo(path).fileName()));
        part.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/octet-stream"));
        auto *file = new QFile(path, multiPart);
        if (!file->open(QIODevice::ReadOnly))
            qCWarning(lcServer) << "Could not open" << path << "for upload:" << file->errorString();
        part.setBodyDevice(file);
        multiPart->append(part);
    }
    for (const auto &[name, value] : fields) {
        QHttpPart part;
        part.setHeader(QNetworkRequest::ContentDispositionHeader,
                       QStringLiteral("form-data; name=\"%1\"").arg(name));
        part.setBody(value.toUtf8());
        multiPart->append(part);
    }
    return multiPart;
}

QString HttpResult::detail() const
{
    return QJsonDocument::fromJson(body).object().value(QStringLiteral("detail")).toString();
}

HttpResult resultOf(QNetworkReply *reply)
{
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.error = reply->error();
    result.authenticateHeader = reply->rawHeader("WWW-Authenticate");
    return result;
}

int writePhotoVariants(const QString &folder, int count)
{
    const QStringList photos = TestSupport::opencvPhotos();
    if (!QDir().mkpath(folder))
        return 0;
    int written = 0;
    for (int i = 0; i < count && !photos.isEmpty(); ++i) {
        QImage image = QImage(photos.at(i % photos.size()))
                           .convertToFormat(QImage::Format_RGB32)
                           .scaled(640, 480, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        if (image.isNull())
            continue;
        image = image.mirrored(i % 2 == 1, (i / 2) % 2 == 1);
        QPainter painter(&image);
        painter.fillRect(QRect(0, 0, 64, 64), QColor::fromHsv((i * 37) % 360, 200, 100 + i % 156));
        painter.end();
        if (image.save(QStringLiteral("%1/variant-%2.jpg").arg(folder).arg(i, 3, 10, QLatin1Char('0')), "JPEG", 90))
            ++written;
    }
    return written;
}

} // namespace Accrete::ApiTestClient
