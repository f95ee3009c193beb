#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Accrete {

// Settings of an ApiServer, as `accrete-cli serve` fills them from its options.
struct ApiServerOptions
{
    // Numeric address to bind. Loopback by default so that nothing outside this machine can
    // reach the API unless the operator asks for it.
    QString host = QStringLiteral("127.0.0.1");
    // TCP port; 0 binds a free port (tests read it back with ApiServer::port()).
    quint16 port = 2080;

    // Folder that receives uploads, one sub-folder per request. Created when missing.
    QString uploadDir;
    // Maximum request body size in bytes. Larger uploads are rejected with 413.
    qint64 maxUploadSize = qint64(2) * 1024 * 1024 * 1024;

    // Folders that the on-premises `path` parameters may point into (canonical paths).
    // Empty means every `path` request is rejected.
    QStringList allowedRoots;

    // When false, every request is served without a bearer token.
    bool authenticationEnabled = true;
    // API key expected as the token's `kid` header and `sub` claim.
    QString apiKey;
    // HS256 secret that signs the tokens. Never logged.
    QByteArray apiSecret;

    // Maximum time, in milliseconds, a request waits for the DatasetService's result.
    int serviceTimeoutMs = 120'000;
};

} // namespace Accrete
