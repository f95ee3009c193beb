#pragma once

#include <memory>

#include <QObject>
#include <QString>

#include "apiserveroptions.h"

namespace Accrete {

class DatasetService;

// The Visual Layer REST API (datasets, add_media, reindex, tasks and the on-premises
// `/api/v1/process` forms) over a DatasetService, served over HTTP by cpp-httplib.
//
// Thread affinity: create, listen and close it in the service's thread. Requests are handled
// on the HTTP library's worker threads, which hand every service call to the service's thread
// and wait for its result. The service's thread must run its event loop. Only close() blocks
// it, while the workers stop.
class ApiServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiServer)

public:
    ApiServer(DatasetService *service, ApiServerOptions options, QObject *parent = nullptr);
    ~ApiServer() override;

    // Binds the address and starts serving. Returns false and sets errorString() when the
    // address cannot be bound or the upload folder cannot be created.
    bool listen();
    // Stops accepting requests, ends the requests waiting for the service (503) and waits
    // for the worker threads. Safe to call more than once.
    void close();

    bool isListening() const;
    // The bound port; useful after listening on port 0.
    quint16 port() const;
    QString host() const;
    QString errorString() const;
    const ApiServerOptions &options() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Accrete
