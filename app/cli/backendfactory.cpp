#include "backendfactory.h"

#include "pipeline/embeddedservice.h"

namespace Accrete {

DatasetService *createDatasetService(const BackendOptions &options, QObject *parent)
{
    const QString dataDir = options.dataDir.isEmpty() ? defaultDataDir() : options.dataDir;
    return new EmbeddedService(dataDir, parent);
}

bool backendRunsInProcess(const BackendOptions &)
{
    return true;
}

QString defaultDataDir()
{
    return EmbeddedService::defaultDataDir();
}

} // namespace Accrete
