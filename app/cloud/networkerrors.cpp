#include "networkerrors.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace Accrete {

namespace {

// Maximum length, in characters, of the error text kept from a non-JSON body.
constexpr qsizetype maxPlainDetailLength = 500;

QString tr(const char *text)
{
    return QCoreApplication::translate("Accrete::NetworkErrors", text);
}

QString locationText(const QJsonArray &location)
{
    QStringList parts;
    for (const QJsonValue &part : location)
        parts.append(part.isDouble() ? QString::number(part.toInteger()) : part.toString());
    return parts.join(QLatin1Char('.'));
}

QString validationErrorsText(const QJsonArray &errors)
{
    QStringList messages;
    for (const QJsonValue &value : errors) {
        const QJsonObject error = value.toObject();
        const QString location = locationText(error.value(QStringLiteral("loc")).toArray());
        const QString message = error.value(QStringLiteral("msg")).toString();
        messages.append(location.isEmpty() ? message : location + QStringLiteral(": ") + message);
    }
    return messages.join(QStringLiteral("; "));
}

QString plainText(const QByteArray &body)
{
    QString text = QString::fromUtf8(body).trimmed();
    if (text.size() > maxPlainDetailLength)
        text = text.left(maxPlainDetailLength) + QStringLiteral("\u2026");
    return text;
}

} // namespace

ServiceError networkErrorToServiceError(QNetworkReply::NetworkError error, const QUrl &url,
                                        std::chrono::milliseconds timeout,
                                        const QString &errorString)
{
    const QString server = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery
                                        | QUrl::RemoveFragment | QUrl::RemoveUserInfo)
                               .toString();
    QString text;
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        text = tr("Connection refused at %1. Check that the server is running and the URL "
                  "is correct.").arg(server);
        break;
    case QNetworkReply::HostNotFoundError:
        text = tr("Host not found: %1. Check the server address and your network "
                  "connection.").arg(url.host());
        break;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        // Qt 6.4 reports an expired transfer timeout as OperationCanceledError; the service
        // marks its own cancellations before they reach this function.
        text = tr("Request to %1 timed out after %2 s without a response.")
                   .arg(server)
                   .arg(QString::number(double(timeout.count()) / 1000.0, 'g', 4));
        break;
    case QNetworkReply::SslHandshakeFailedError:
        text = tr("TLS handshake with %1 failed: %2. Check the server's certificate.")
                   .arg(server, errorString);
        break;
    case QNetworkReply::RemoteHostClosedError:
        text = tr("%1 closed the connection before it answered. Try again; if it keeps "
                  "happening, check the server's log.").arg(server);
        break;
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::BackgroundRequestNotAllowedError:
        text = tr("The network is unavailable, so %1 cannot be reached: %2.")
                   .arg(server, errorString);
        break;
    case QNetworkReply::TooManyRedirectsError:
    case QNetworkReply::InsecureRedirectError:
        text = tr("%1 redirected the request too often or to an insecure or foreign URL: %2.")
                   .arg(server, errorString);
        break;
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
        text = tr("The proxy for %1 failed: %2. Check the proxy settings.")
                   .arg(server, errorString);
        break;
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
    case QNetworkReply::ProtocolFailure:
        text = tr("%1 sent a response that is not valid HTTP: %2.").arg(server, errorString);
        break;
    default:
        text = tr("Network error while contacting %1: %2.").arg(server, errorString);
        break;
    }
    return ServiceError(0, text);
}

QString errorDetailFromBody(const QByteArray &body, const QString &reasonPhrase)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error == QJsonParseError::NoError && document.isObject()) {
        const QJsonObject object = document.object();
        const QJsonValue detail = object.value(QStringLiteral("detail"));
        if (detail.isString())
            return detail.toString();
        if (detail.isArray())
            return validationErrorsText(detail.toArray());
        if (detail.isObject())
            return QString::fromUtf8(QJsonDocument(detail.toObject()).toJson(QJsonDocument::Compact));
        const QJsonValue message = object.value(QStringLiteral("message"));
        if (message.isString())
            return message.toString();
    }
    const QString text = plainText(body);
    if (!text.isEmpty())
        return text;
    return reasonPhrase;
}

ServiceError httpErrorToServiceError(int httpStatus, const QByteArray &body,
                                     const QString &reasonPhrase)
{
    QString detail = errorDetailFromBody(body, reasonPhrase);
    if (detail.isEmpty())
        detail = tr("HTTP error %1 with an empty response").arg(httpStatus);
    return ServiceError(httpStatus, detail);
}

} // namespace Accrete
