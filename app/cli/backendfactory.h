#pragma once

#include <QObject>
#include <QString>
#include <QUrl>

namespace Accrete {

class DatasetService;

// Backend selection from the command line: which backend, and where it keeps its datasets.
struct BackendOptions
{
    enum class Kind {
        Embedded, // the local pipeline, running inside accrete-cli
        Cloud,    // Visual Layer Cloud
        Server,   // an on-premises Visual Layer server or `accrete-cli serve`
    };

    Kind kind = Kind::Embedded;
    QString dataDir; // embedded backend; empty means the default data directory
    QUrl url;        // remote backends; empty means the backend's default URL
    QString apiKey;  // remote backends; empty means $ACCRETE_API_KEY
    bool noAuth = false;
};

// True when this build of accrete-cli has the cloud and server clients.
bool hasRemoteBackends();

// True when this build of accrete-cli has the `serve` command.
bool hasServeCommand();

// Constructs the backend that accrete-cli's commands talk to, owned by `parent`.
DatasetService *createDatasetService(const BackendOptions &options, QObject *parent);

// True when the backend runs its operations inside this process, so a command that starts
// one must keep running until it ends.
bool backendRunsInProcess(const BackendOptions &options);

// The data directory the embedded backend uses when --data-dir is not given.
QString defaultDataDir();

} // namespace Accrete
