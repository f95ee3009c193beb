#pragma once

#include <chrono>

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace Accrete {

// Mints and caches the HS256 JWT that Visual Layer expects from API-key clients: header
// {"alg":"HS256","typ":"JWT","kid":<api key>}, claims sub=<api key>, iat, exp, iss="sdk",
// signed with the API secret. Not thread-safe; the owning service uses it from one thread.
class JwtAuthenticator
{
public:
    static constexpr std::chrono::seconds tokenLifetime{ 600 };
    // A cached token is replaced once it expires within this margin.
    static constexpr std::chrono::seconds renewMargin{ 60 };

    JwtAuthenticator() = default;
    JwtAuthenticator(QString apiKey, QByteArray secret);

    const QString &apiKey() const { return m_apiKey; }
    bool hasSecret() const { return !m_secret.isEmpty(); }
    void setSecret(QByteArray secret);

    // Returns the cached token, or mints one when none is cached or the cached one expires
    // within renewMargin of `now`. Returns an empty array and sets `error` if signing fails.
    QByteArray token(const QDateTime &now, QString *error = nullptr);

    // Drops the cached token, so the next token() call mints a new one (after a 401).
    void invalidate();

    // Signs one token; `issuedAt` and `expiresAt` are Unix times in seconds.
    static QByteArray mint(const QString &apiKey, const QByteArray &secret, qint64 issuedAt,
                           qint64 expiresAt, QString *error = nullptr);

private:
    QString m_apiKey;
    QByteArray m_secret;
    QByteArray m_token;
    qint64 m_expiresAt = 0; // Unix seconds
};

} // namespace Accrete
