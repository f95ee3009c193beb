#pragma once

#include <chrono>
#include <memory>

#include <QObject>
#include <QString>
#include <QUrl>

#include "core/datasetservice.h"

namespace Accrete {

// The address of a remote backend and the credentials for it.
struct RemoteConnection
{
    enum class Kind {
        Cloud,  // Visual Layer Cloud: multipart add_media, datasets created from s3:// paths
        Server, // an on-premises server or `accrete-cli serve`: adds the /api/v1/process forms
    };

    Kind kind = Kind::Cloud;
    QUrl baseUrl;       // empty: defaultBaseUrl(kind)
    QString apiKey;     // empty: the ACCRETE_API_KEY environment variable
    bool noAuth = false; // true: send no Authorization header (on-premises without user management)

    // Empty: read from CredentialStore (the system keychain, then ACCRETE_API_SECRET).
    QString apiSecret;

    // Inactivity timeouts: a request fails when no byte moves in either direction for this long.
    std::chrono::milliseconds transferTimeout{ 60'000 };
    std::chrono::milliseconds uploadTimeout{ 300'000 };

    // https://app.visual-layer.com for Cloud, http://127.0.0.1:2080 for Server.
    static QUrl defaultBaseUrl(Kind kind);
    QUrl effectiveBaseUrl() const;
};

// Creates the service for `connection` (a CloudService) with `parent` as its QObject parent.
// The unique_ptr owns the service: pass a null parent, or release() the pointer when the
// parent is to delete it, so that it is never deleted twice.
std::unique_ptr<DatasetService> createRemoteService(const RemoteConnection &connection,
                                                    QObject *parent);

} // namespace Accrete
