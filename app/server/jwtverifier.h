#pragma once

#include <optional>

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace Accrete {

// Checks the bearer tokens of API requests: an HS256 JWT whose `kid` header and `sub` claim
// are the configured API key, signed with the API secret, with an `iat` claim and an `exp`
// claim that has not passed. Thread-safe: check() only reads the configuration.
class JwtVerifier
{
public:
    // Clock difference tolerated between the client that minted a token and this server.
    static constexpr qint64 clockSkewSeconds = 60;

    JwtVerifier(QString apiKey, QByteArray apiSecret);

    // Returns why the request is not authenticated, as the `detail` text of a 401, or nullopt
    // when `authorizationHeader` (the raw header value) carries a valid token.
    // The returned text never contains the token or the secret.
    std::optional<QString> check(const QByteArray &authorizationHeader,
                                 const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

private:
    QString m_apiKey;
    QByteArray m_apiSecret;
};

} // namespace Accrete
