#include "backendfactory.h"

#include <memory>

#include "pipeline/embeddedservice.h"
#ifdef ACCRETE_HAVE_REMOTE_BACKENDS
#include "cloud/remoteconnection.h"
#endif

namespace Accrete {

bool hasRemoteBackends()
{
#ifdef ACCRETE_HAVE_REMOTE_BACKENDS
    return true;
#else
    return false;
#endif
}

bool hasServeCommand()
{
#ifdef ACCRETE_HAVE_SERVE_COMMAND
    return true;
#else
    return false;
#endif
}

DatasetService *createDatasetService(const BackendOptions &options, QObject *parent)
{
#ifdef ACCRETE_HAVE_REMOTE_BACKENDS
    if (options.kind != BackendOptions::Kind::Embedded) {
        RemoteConnection connection;
        connection.kind = options.kind == BackendOptions::Kind::Cloud
            ? RemoteConnection::Kind::Cloud
            : RemoteConnection::Kind::Server;
        connection.baseUrl = options.url;
        connection.apiKey = options.apiKey;
        connection.noAuth = options.noAuth;
        // `parent` deletes the service, so the unique_ptr gives up ownership.
        return createRemoteService(connection, parent).release();
    }
#endif
    const QString dataDir = options.dataDir.isEmpty() ? defaultDataDir() : options.dataDir;
    return new EmbeddedService(dataDir, parent);
}

bool backendRunsInProcess(const BackendOptions &options)
{
    return options.kind == BackendOptions::Kind::Embedded;
}

QString defaultDataDir()
{
    return EmbeddedService::defaultDataDir();
}

} // namespace Accrete
