#pragma once

#include <QObject>
#include <QString>

namespace Accrete {

class DatasetService;

// Backend selection from the command line: which backend, and where it keeps its datasets.
struct BackendOptions
{
    QString dataDir; // embedded backend; empty means the default data directory
};

// Constructs the backend that accrete-cli's commands talk to, owned by `parent`.
DatasetService *createDatasetService(const BackendOptions &options, QObject *parent);

// True when the backend runs its operations inside this process, so a command that starts
// one must keep running until it ends.
bool backendRunsInProcess(const BackendOptions &options);

// The data directory the embedded backend uses when --data-dir is not given.
QString defaultDataDir();

} // namespace Accrete
