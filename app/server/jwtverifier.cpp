#include "jwtverifier.h"

#include <cerrno>
#include <memory>

#include <jwt.h>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

namespace Accrete {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("JwtVerifier", text);
}

// Decodes one base64url part of a compact JWT into a JSON object.
std::optional<QJsonObject> decodeJsonPart(const QByteArray &part)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        part, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
                  | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*decoded, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

struct JwtDeleter
{
    void operator()(jwt_t *token) const { jwt_free(token); }
};

} // namespace

JwtVerifier::JwtVerifier(QString apiKey, QByteArray apiSecret)
    : m_apiKey(std::move(apiKey))
    , m_apiSecret(std::move(apiSecret))
{
}

std::optional<QString> JwtVerifier::check(const QByteArray &authorizationHeader,
                                          const QDateTime &now) const
{
    static const QByteArray bearerPrefix = QByteArrayLiteral("bearer ");
    const QByteArray header = authorizationHeader.trimmed();
    if (header.isEmpty() || !header.toLower().startsWith(bearerPrefix)
        || header.mid(bearerPrefix.size()).trimmed().isEmpty()) {
        return tr("Missing bearer token: send the header 'Authorization: Bearer <jwt>'.");
    }
    const QByteArray token = header.mid(bearerPrefix.size()).trimmed();

    // The header and claims are read before the signature check, so that the client learns
    // which part is wrong. Nothing read here is trusted until libjwt has verified the token.
    const QList<QByteArray> parts = token.split('.');
    const std::optional<QJsonObject> jwtHeader =
        parts.size() == 3 ? decodeJsonPart(parts.at(0)) : std::nullopt;
    const std::optional<QJsonObject> claims =
        parts.size() == 3 ? decodeJsonPart(parts.at(1)) : std::nullopt;
    if (!jwtHeader || !claims)
        return tr("Malformed bearer token: expected a JWT made of three base64url parts.");

    const QString algorithm = jwtHeader->value(QStringLiteral("alg")).toString();
    if (algorithm != QLatin1String("HS256")) {
        return tr("Unsupported token algorithm '%1': sign the token with HS256.")
            .arg(algorithm.left(16));
    }
    if (jwtHeader->value(QStringLiteral("kid")).toString() != m_apiKey)
        return tr("Unknown key id: the token's 'kid' header must be this server's API key.");

    jwt_t *rawToken = nullptr;
    const int decodeResult = jwt_decode(&rawToken, token.constData(),
                                        reinterpret_cast<const unsigned char *>(m_apiSecret.constData()),
                                        int(m_apiSecret.size()));
    const std::unique_ptr<jwt_t, JwtDeleter> verified(rawToken);
    if (decodeResult != 0 || !verified || jwt_get_alg(verified.get()) != JWT_ALG_HS256)
        return tr("Invalid signature: sign the token with the API secret of its key id.");

    // From here on the claims come from the verified token.
    const char *subject = jwt_get_grant(verified.get(), "sub");
    if (!subject || QString::fromUtf8(subject) != m_apiKey)
        return tr("Invalid token subject: the 'sub' claim must be the API key.");

    const qint64 nowSeconds = now.toSecsSinceEpoch();
    errno = 0;
    const long issuedAt = jwt_get_grant_int(verified.get(), "iat");
    if (errno != 0)
        return tr("Missing 'iat' claim: state when the token was issued, in seconds since the epoch.");
    if (issuedAt > nowSeconds + clockSkewSeconds)
        return tr("Invalid 'iat' claim: the token was issued in the future; check the client's clock.");

    errno = 0;
    const long expiresAt = jwt_get_grant_int(verified.get(), "exp");
    if (errno != 0)
        return tr("Missing 'exp' claim: give the token an expiry time in seconds since the epoch.");
    if (nowSeconds > expiresAt + clockSkewSeconds)
        return tr("Expired token: mint a new token with a later 'exp' claim.");

    return std::nullopt;
}

} // namespace Accrete
