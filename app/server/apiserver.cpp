#include "apiserver.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <sys/socket.h>

#include <httplib.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include "apihandlers.h"
#include "core/datasetservice.h"
#include "core/logging.h"
#include "jwtverifier.h"
#include "uploadcleaner.h"

namespace Accrete {

namespace {

// Seconds a connection may stay silent while a request body or header is read.
constexpr int readTimeoutSeconds = 60;
// Seconds an idle keep-alive connection stays open; also bounds how long close() waits.
constexpr int keepAliveTimeoutSeconds = 2;
// Bytes read from disk and written to the socket at a time when a file is the body.
constexpr size_t fileChunkBytes = 64 * 1024;

} // namespace

struct ApiServer::Private
{
    using Handler = std::function<ApiResponse()>;

    Private(DatasetService *datasetService, ApiServerOptions serverOptions, ApiServer *owner)
        : service(datasetService)
        , options(std::move(serverOptions))
        , uploadCleaner(new UploadCleaner(datasetService, options.uploadDir, owner))
        , handlers(datasetService, uploadCleaner, options, stopping)
    {
        if (options.authenticationEnabled)
            verifier.emplace(options.apiKey, options.apiSecret);
    }

    void registerRoutes();
    void serve(const httplib::Request &request, httplib::Response &response,
               const httplib::ContentReader *reader, const Handler &handler);
    static void streamFile(httplib::Response &response, const std::shared_ptr<QFile> &file,
                           const QByteArray &contentType);
    void logRequest(const httplib::Request &request, const ApiResponse &response, qint64 elapsedMs) const;

    DatasetService *service = nullptr;
    ApiServerOptions options;
    std::atomic_bool stopping = false;
    UploadCleaner *uploadCleaner = nullptr;
    ApiHandlers handlers;
    std::optional<JwtVerifier> verifier;
    httplib::Server http;
    // The listening socket, captured when cpp-httplib creates it (see listen()).
    std::atomic<int> listenSocket = -1;
    std::thread thread;
    quint16 boundPort = 0;
    bool listening = false;
    QString errorString;
};

void ApiServer::Private::registerRoutes()
{
    using httplib::ContentReader;
    using httplib::Request;
    using httplib::Response;

    const auto get = [this](const char *pattern, std::function<ApiResponse(const Request &)> handler) {
        http.Get(pattern, [this, handler](const Request &request, Response &response) {
            serve(request, response, nullptr, [&]() { return handler(request); });
        });
    };
    // Every POST route reads its body through a ContentReader, so that no body is buffered
    // whole in memory by the HTTP library.
    const auto post = [this](const char *pattern,
                             std::function<ApiResponse(const Request &, const ContentReader &)> handler) {
        http.Post(pattern, [this, handler](const Request &request, Response &response,
                                           const ContentReader &reader) {
            serve(request, response, &reader, [&]() { return handler(request, reader); });
        });
    };

    get("/api/v1/datasets", [this](const Request &request) { return handlers.listDatasets(request); });
    get(R"(/api/v1/dataset/([^/]+))", [this](const Request &request) { return handlers.getDataset(request); });
    post(R"(/api/v1/dataset/([^/]+)/add_media)", [this](const Request &request, const ContentReader &reader) {
        return handlers.addMedia(request, reader);
    });
    post(R"(/api/v1/dataset/([^/]+)/reindex)", [this](const Request &request, const ContentReader &reader) {
        return handlers.reindex(request, reader);
    });
    get(R"(/api/v1/dataset/([^/]+)/media)", [this](const Request &request) { return handlers.listMedia(request); });
    get(R"(/api/v1/dataset/([^/]+)/media/([^/]+)/thumbnail)",
        [this](const Request &request) { return handlers.mediaThumbnail(request); });
    get(R"(/api/v1/dataset/([^/]+)/media/([^/]+)/file)",
        [this](const Request &request) { return handlers.mediaFile(request); });
    get(R"(/api/v1/explore/([^/]+))", [this](const Request &request) { return handlers.explore(request); });
    get("/api/v1/tasks", [this](const Request &request) { return handlers.listTasks(request); });
    get("/api/v1/process", [this](const Request &request) { return handlers.processCreate(request, nullptr); });
    post("/api/v1/process", [this](const Request &request, const ContentReader &reader) {
        return handlers.processCreate(request, &reader);
    });
    get("/api/v1/process/add_media",
        [this](const Request &request) { return handlers.processAddMedia(request, nullptr); });
    post("/api/v1/process/add_media", [this](const Request &request, const ContentReader &reader) {
        return handlers.processAddMedia(request, &reader);
    });

    // Unknown routes return 404 as FastAPI does; their bodies are discarded, not buffered.
    get(".*", [](const Request &) { return ApiResponse::error(404, QStringLiteral("Not Found")); });
    post(".*", [](const Request &request, const ContentReader &reader) {
        ApiHandlers::discardBody(request, reader);
        return ApiResponse::error(404, QStringLiteral("Not Found"));
    });
    const auto notFoundWithBody = [this](const Request &request, Response &response, const ContentReader &reader) {
        serve(request, response, &reader, [&]() {
            ApiHandlers::discardBody(request, reader);
            return ApiResponse::error(404, QStringLiteral("Not Found"));
        });
    };
    http.Put(".*", notFoundWithBody);
    http.Patch(".*", notFoundWithBody);
    http.Delete(".*", notFoundWithBody);
}

void ApiServer::Private::serve(const httplib::Request &request, httplib::Response &response,
                               const httplib::ContentReader *reader, const Handler &handler)
{
    QElapsedTimer timer;
    timer.start();

    ApiResponse result;
    const bool isApiPath = request.path.rfind("/api/v1/", 0) == 0 || request.path == "/api/v1";
    std::optional<QString> authError;
    if (verifier && isApiPath)
        authError = verifier->check(QByteArray::fromStdString(request.get_header_value("Authorization")));

    if (authError) {
        if (reader)
            ApiHandlers::discardBody(request, *reader);
        result = ApiResponse::error(401, *authError);
        response.set_header("WWW-Authenticate", "Bearer");
    } else {
        try {
            result = handler();
        } catch (const ServiceError &error) {
            result = ApiResponse::error(error);
        } catch (const std::exception &error) {
            qCWarning(lcServer).noquote() << "Request" << QString::fromStdString(request.method)
                                          << QString::fromStdString(request.path)
                                          << "failed with an unexpected error:" << error.what();
            result = ApiResponse::error(500, tr("Internal server error."));
        }
    }

    response.status = result.status;
    if (result.bodyFile) {
        streamFile(response, result.bodyFile, result.contentType);
    } else if (!result.body.isEmpty()) {
        response.set_content(result.body.constData(), size_t(result.body.size()),
                             result.contentType.isEmpty() ? "application/octet-stream"
                                                          : result.contentType.constData());
    }
    logRequest(request, result, timer.elapsed());
}

void ApiServer::Private::streamFile(httplib::Response &response, const std::shared_ptr<QFile> &file,
                                    const QByteArray &contentType)
{
    const std::string type = contentType.isEmpty() ? std::string("application/octet-stream")
                                                   : contentType.toStdString();
    // The library calls the provider until `size` bytes are written; each call sends at most
    // one chunk, so memory stays bounded whatever the file size.
    response.set_content_provider(
        size_t(file->size()), type, [file](size_t offset, size_t length, httplib::DataSink &sink) {
            std::array<char, fileChunkBytes> chunk;
            const qint64 wanted = qint64(std::min(length, chunk.size()));
            const qint64 read = file->seek(qint64(offset)) ? file->read(chunk.data(), wanted) : -1;
            if (read <= 0) {
                qCWarning(lcServer).noquote() << "Reading" << file->fileName() << "at byte" << offset
                                              << "failed:" << file->errorString();
                return false;
            }
            return sink.write(chunk.data(), size_t(read));
        });
}

void ApiServer::Private::logRequest(const httplib::Request &request, const ApiResponse &response,
                                    qint64 elapsedMs) const
{
    // The query string is left out: it is not needed to follow a request and may be long.
    QString line = QStringLiteral("%1 %2 %3 %4 ms")
                       .arg(QString::fromStdString(request.method), QString::fromStdString(request.path))
                       .arg(response.status)
                       .arg(elapsedMs);
    if (!response.datasetId.isEmpty())
        line += QStringLiteral(" dataset=") + response.datasetId;
    if (!response.taskId.isEmpty())
        line += QStringLiteral(" task=") + response.taskId;
    if (response.status >= 500)
        qCWarning(lcServer).noquote() << line;
    else
        qCInfo(lcServer).noquote() << line;
}

ApiServer::ApiServer(DatasetService *service, ApiServerOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(service, std::move(options), this))
{
    d->registerRoutes();
    d->http.set_payload_max_length(size_t(std::max<qint64>(d->options.maxUploadSize, 0)));
    d->http.set_read_timeout(readTimeoutSeconds, 0);
    d->http.set_write_timeout(readTimeoutSeconds, 0);
    d->http.set_keep_alive_timeout(keepAliveTimeoutSeconds);
}

ApiServer::~ApiServer()
{
    close();
}

bool ApiServer::listen()
{
    if (d->listening)
        return true;

    if (d->options.uploadDir.isEmpty() || !QDir().mkpath(d->options.uploadDir)) {
        d->errorString = tr("Could not create the upload folder '%1'.").arg(d->options.uploadDir);
        return false;
    }

    // cpp-httplib 0.11 (Debian 12) listens with a backlog of 5, compiled into its shared
    // library. A burst of concurrent clients then loses connection attempts, which the kernel
    // retries only after a second. Calling listen() again on the bound socket raises the
    // backlog on Linux, so the socket is captured here, after the default options are set.
    d->http.set_socket_options([this](socket_t socket) {
        httplib::default_socket_options(socket);
        d->listenSocket = int(socket);
    });

    const std::string host = d->options.host.toStdString();
    int port = d->options.port;
    if (port == 0)
        port = d->http.bind_to_any_port(host);
    else if (!d->http.bind_to_port(host, port))
        port = -1;
    if (port <= 0) {
        d->errorString = tr("Could not listen on %1:%2: the address is in use or not available "
                            "on this machine.")
                             .arg(d->options.host)
                             .arg(d->options.port);
        return false;
    }
    d->boundPort = quint16(port);
    if (d->listenSocket >= 0 && ::listen(d->listenSocket, SOMAXCONN) != 0)
        qCWarning(lcServer) << "Could not raise the listen backlog:" << qt_error_string(errno);

    d->stopping = false;
    d->thread = std::thread([this]() { d->http.listen_after_bind(); });
    // stop() only works once the accept loop runs, so wait for it before returning.
    for (int attempt = 0; attempt < 500 && !d->http.is_running(); ++attempt)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    d->listening = true;

    d->uploadCleaner->adoptLeftovers();
    qCInfo(lcServer).noquote() << "Serving the API of" << d->service->connectionName() << "on"
                               << QStringLiteral("http://%1:%2").arg(d->options.host).arg(d->boundPort)
                               << (d->options.authenticationEnabled ? "with bearer token authentication"
                                                                    : "WITHOUT authentication");
    return true;
}

void ApiServer::close()
{
    if (!d->listening)
        return;
    d->stopping = true;
    d->http.stop();
    if (d->thread.joinable())
        d->thread.join();
    d->listening = false;
    qCInfo(lcServer) << "Stopped serving on port" << d->boundPort;
}

bool ApiServer::isListening() const
{
    return d->listening;
}

quint16 ApiServer::port() const
{
    return d->boundPort;
}

QString ApiServer::host() const
{
    return d->options.host;
}

QString ApiServer::errorString() const
{
    return d->errorString;
}

const ApiServerOptions &ApiServer::options() const
{
    return d->options;
}

} // namespace Accrete
