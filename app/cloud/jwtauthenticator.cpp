#include "jwtauthenticator.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <jwt.h>

#include <QCoreApplication>

namespace Accrete {

namespace {

struct JwtDeleter
{
    void operator()(jwt_t *jwt) const { jwt_free(jwt); }
};

QString signingError(int errorNumber)
{
    return QCoreApplication::translate("Accrete::JwtAuthenticator",
                                       "Could not sign the API token: %1 (errno %2).")
        .arg(QString::fromLocal8Bit(std::strerror(errorNumber)))
        .arg(errorNumber);
}

} // namespace

JwtAuthenticator::JwtAuthenticator(QString apiKey, QByteArray secret)
    : m_apiKey(std::move(apiKey))
    , m_secret(std::move(secret))
{
}

void JwtAuthenticator::setSecret(QByteArray secret)
{
    m_secret = std::move(secret);
    invalidate();
}

QByteArray JwtAuthenticator::token(const QDateTime &now, QString *error)
{
    const qint64 nowSeconds = now.toSecsSinceEpoch();
    if (!m_token.isEmpty() && nowSeconds < m_expiresAt - renewMargin.count())
        return m_token;

    const qint64 expiresAt = nowSeconds + tokenLifetime.count();
    QByteArray minted = mint(m_apiKey, m_secret, nowSeconds, expiresAt, error);
    if (minted.isEmpty()) {
        invalidate();
        return {};
    }
    m_token = std::move(minted);
    m_expiresAt = expiresAt;
    return m_token;
}

void JwtAuthenticator::invalidate()
{
    m_token.clear();
    m_expiresAt = 0;
}

QByteArray JwtAuthenticator::mint(const QString &apiKey, const QByteArray &secret,
                                  qint64 issuedAt, qint64 expiresAt, QString *error)
{
    if (secret.isEmpty()) {
        if (error) {
            *error = QCoreApplication::translate("Accrete::JwtAuthenticator",
                                                 "Cannot sign the API token: the API secret is empty.");
        }
        return {};
    }

    jwt_t *raw = nullptr;
    if (const int rc = jwt_new(&raw); rc != 0) {
        if (error)
            *error = signingError(rc);
        return {};
    }
    const std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);

    const QByteArray key = apiKey.toUtf8();
    int rc = jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                         reinterpret_cast<const unsigned char *>(secret.constData()),
                         int(secret.size()));
    if (rc == 0)
        rc = jwt_add_header(jwt.get(), "typ", "JWT");
    if (rc == 0)
        rc = jwt_add_header(jwt.get(), "kid", key.constData());
    if (rc == 0)
        rc = jwt_add_grant(jwt.get(), "sub", key.constData());
    if (rc == 0)
        rc = jwt_add_grant(jwt.get(), "iss", "sdk");
    if (rc == 0)
        rc = jwt_add_grant_int(jwt.get(), "iat", long(issuedAt));
    if (rc == 0)
        rc = jwt_add_grant_int(jwt.get(), "exp", long(expiresAt));
    if (rc != 0) {
        if (error)
            *error = signingError(rc);
        return {};
    }

    char *encoded = jwt_encode_str(jwt.get());
    if (!encoded) {
        if (error)
            *error = signingError(errno);
        return {};
    }
    QByteArray token(encoded);
    std::free(encoded);
    return token;
}

} // namespace Accrete
