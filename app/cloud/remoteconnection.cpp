#include "remoteconnection.h"

#include "cloud/cloudservice.h"

namespace Accrete {

QUrl RemoteConnection::defaultBaseUrl(Kind kind)
{
    switch (kind) {
    case Kind::Cloud:
        return QUrl(QStringLiteral("https://app.visual-layer.com"));
    case Kind::Server:
        return QUrl(QStringLiteral("http://127.0.0.1:2080"));
    }
    return {};
}

QUrl RemoteConnection::effectiveBaseUrl() const
{
    return baseUrl.isEmpty() ? defaultBaseUrl(kind) : baseUrl;
}

std::unique_ptr<DatasetService> createRemoteService(const RemoteConnection &connection,
                                                    QObject *parent)
{
    return std::make_unique<CloudService>(connection, parent);
}

} // namespace Accrete
