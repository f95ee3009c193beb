#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>

#include <httplib.h>

#include <QFuture>
#include <QJsonArray>
#include <QString>

#include "allowedroots.h"
#include "apiresponse.h"
#include "apiserveroptions.h"
#include "core/mediaitem.h"

namespace Accrete {

class DatasetService;
class UploadCleaner;

// The endpoints of the API. Each function handles one request on an HTTP worker thread and
// reaches the DatasetService only through callInServiceThread(), so the service's thread is
// never blocked. Path arguments come from the route's regular expression groups.
class ApiHandlers
{
public:
    ApiHandlers(DatasetService *service, UploadCleaner *uploadCleaner, ApiServerOptions options,
                const std::atomic_bool &stopping);

    ApiResponse listDatasets(const httplib::Request &request);
    ApiResponse getDataset(const httplib::Request &request);
    ApiResponse addMedia(const httplib::Request &request, const httplib::ContentReader &reader);
    ApiResponse reindex(const httplib::Request &request, const httplib::ContentReader &reader);
    ApiResponse listTasks(const httplib::Request &request);
    // Media listing (an Accrete extension), one item's thumbnail and stored file, and the
    // Visual Layer explore endpoint. Items carry URLs of this server, never local paths.
    ApiResponse listMedia(const httplib::Request &request);
    ApiResponse mediaThumbnail(const httplib::Request &request);
    ApiResponse mediaFile(const httplib::Request &request);
    ApiResponse explore(const httplib::Request &request);
    // On-premises forms: create a dataset from a folder, add media from a folder.
    // `reader` is null for GET requests.
    ApiResponse processCreate(const httplib::Request &request, const httplib::ContentReader *reader);
    ApiResponse processAddMedia(const httplib::Request &request, const httplib::ContentReader *reader);

    // Reads and discards a request body, so that the response to a rejected request reaches
    // the client. Bodies over the size limit are skipped by the HTTP library.
    static void discardBody(const httplib::Request &request, const httplib::ContentReader &reader);

    // True when the request announces a body. A request with neither Content-Length nor
    // chunked Transfer-Encoding has none (RFC 9112, section 6.3), but cpp-httplib 0.11 would
    // read it until the connection closes, so its ContentReader must not be called then.
    static bool hasBody(const httplib::Request &request);

private:
    template <typename T>
    T call(std::function<QFuture<T>()> request) const;

    // Reads an application/x-www-form-urlencoded body of at most 64 KiB into the request's
    // parameters; other bodies are discarded. Returns false for a body over that size.
    static bool readFormBody(const httplib::Request &request, const httplib::ContentReader *reader,
                             httplib::Params &params);
    MediaItem findMediaItem(const QString &datasetId, const QString &mediaId) const;
    // Returns up to `clustersPerPage` clusters of `kind` items from cluster number `first`.
    QJsonArray exploreClusters(const QString &datasetId, MediaKind kind, qint64 first,
                               const QString &threshold) const;
    // Returns the 403 for `path`, or the canonical path when it is inside an allowed root.
    // Sets `missing` when the path is inside a root but does not exist.
    std::optional<ApiResponse> checkPath(const QString &path, QString &canonicalPath,
                                         bool &missing) const;

    DatasetService *m_service = nullptr;
    UploadCleaner *m_uploadCleaner = nullptr;
    ApiServerOptions m_options;
    AllowedRoots m_allowedRoots;
    const std::atomic_bool &m_stopping;
};

} // namespace Accrete
