#pragma once

#include <utility>

#include <QByteArray>
#include <QList>
#include <QNetworkReply>
#include <QString>
#include <QStringList>

class QHttpMultiPart;

// Helpers shared by the server load tests and the status-polling benchmark: bearer tokens
// minted with libjwt, multipart bodies of real files, the outcome of one reply and photo
// variants that lengthen a batch.
namespace Accrete::ApiTestClient {

// Claims of an HS256 token as ApiServer expects them. The `kid` header and `sub` claim name
// the API key, and `iat` and `exp` are seconds since the epoch.
struct TokenSpec
{
    QString key;
    QByteArray secret;
    qint64 expiresIn = 600; // seconds from now, negative for an expired token
};

// Returns the encoded token, or an empty array when libjwt fails.
QByteArray makeToken(const TokenSpec &spec);

// A multipart/form-data body with one part per file (all under `fileField`) and one text
// part per field. The returned object owns the open files; parent it to the reply.
QHttpMultiPart *makeMultiPart(const QString &fileField, const QStringList &files,
                              const QList<std::pair<QString, QString>> &fields = {});

// The outcome of one request.
struct HttpResult
{
    int status = 0; // 0 when no HTTP response arrived
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray authenticateHeader; // WWW-Authenticate

    QString detail() const;
};

// Reads the status, body and headers of a finished reply.
HttpResult resultOf(QNetworkReply *reply);

// Writes `count` distinct 640x480 JPEGs made from the opencv-doc photos (each one a photo
// mirrored and tinted by its index, so no two have the same bytes) into `folder` and returns
// how many were written. They make a path batch long enough to outlast a burst of requests.
int writePhotoVariants(const QString &folder, int count);

} // namespace Accrete::ApiTestClient
