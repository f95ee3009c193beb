#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QMultiHash>
#include <QPointer>
#include <QPromise>
#include <QUrlQuery>

#include "cloud/jwtauthenticator.h"
#include "cloud/multipartform.h"
#include "cloud/pendingoperation.h"
#include "cloud/remoteconnection.h"
#include "core/datasetservice.h"

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace Accrete {

class CredentialStore;

// The DatasetService for Visual Layer Cloud and for servers that speak its REST API
// (the on-premises pipeline, `accrete-cli serve`).
//
// Thread affinity: like every DatasetService, use it from the thread it lives in. It owns one
// QNetworkAccessManager; every request has an inactivity timeout, and uploads stream their
// files from disk. Authenticated requests carry a client-minted HS256 JWT; a 401 mints a new
// token and retries the request once.
class CloudService final : public DatasetService
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CloudService)

public:
    explicit CloudService(const RemoteConnection &connection, QObject *parent = nullptr);
    ~CloudService() override;

    const RemoteConnection &connection() const { return m_connection; }
    QUrl baseUrl() const { return m_baseUrl; }

    // Back-off of watchDataset(): the first poll interval, doubled after every unchanged poll
    // up to `maximum`, and reset when the status changes. Defaults: 1 s and 30 s.
    void setWatchIntervals(std::chrono::milliseconds initial, std::chrono::milliseconds maximum);
    // How long after an accepted request a settled status equal to the status before the
    // request still counts as "not started yet". Default 20 s.
    void setWatchGracePeriod(std::chrono::milliseconds gracePeriod);
    void setTransferTimeout(std::chrono::milliseconds timeout);
    void setUploadTimeout(std::chrono::milliseconds timeout);

    QString connectionName() const override;

    QFuture<QList<DatasetInfo>> listDatasets() override;
    QFuture<DatasetInfo> dataset(const QString &datasetId) override;
    QFuture<DatasetInfo> createDataset(const CreateDatasetRequest &request) override;
    QFuture<AddMediaAccepted> addMedia(const QString &datasetId,
                                       const AddMediaRequest &request) override;
    QFuture<void> reindex(const QString &datasetId) override;
    QFuture<TaskPage> tasks(const TaskQuery &query) override;
    QFuture<TaskInfo> task(const QString &taskId) override;
    QFuture<MediaPage> media(const MediaQuery &query) override;
    QFuture<QImage> thumbnail(const MediaItem &item, const QSize &size) override;

    void watchDataset(const QString &datasetId) override;
    void unwatchDataset(const QString &datasetId) override;
    bool isWatching(const QString &datasetId) const { return m_watches.contains(datasetId); }

    // Aborts the uploads to `datasetId`, running or still being prepared. Their futures fail
    // with "Upload cancelled". DatasetService::uploadProgress reports the bytes of the
    // multipart body sent so far.
    void cancelUploads(const QString &datasetId) override;

private:
    struct Request
    {
        QByteArray method = "GET";
        QString path;      // below the base URL, e.g. "/api/v1/datasets"
        QUrlQuery query;
        QUrl absoluteUrl;  // set instead of `path` for URLs the server handed out (thumbnails)
        MultipartForm form;
        QString uploadDatasetId; // set for add_media uploads: progress, cancel, upload timeout
        int uploadCancelGeneration = 0; // m_uploadCancelGenerations value when requested
        bool authenticate = true;
        qint64 maxResponseBytes = 32 * 1024 * 1024;
    };
    struct Response
    {
        int httpStatus = 0;
        QByteArray body;
    };
    struct Watch
    {
        QTimer *timer = nullptr;
        std::chrono::milliseconds interval{ 0 };
        std::optional<DatasetInfo> last;
        bool pollInFlight = false;
    };
    using ResponsePromise = std::shared_ptr<QPromise<Response>>;

    QFuture<Response> send(Request request);
    void startAttempt(const std::shared_ptr<Request> &request, const ResponsePromise &promise,
                      int attempt);
    void sendWithToken(const std::shared_ptr<Request> &request, const ResponsePromise &promise,
                       int attempt, const QByteArray &token);
    void handleFinished(QNetworkReply *reply, const std::shared_ptr<Request> &request,
                        const ResponsePromise &promise, int attempt, qint64 elapsedMs);
    void fetchSecretThen(const ResponsePromise &promise, std::function<void()> next);
    QUrl urlFor(const Request &request) const;
    bool isSameOrigin(const QUrl &url) const;

    QFuture<AddMediaAccepted> addMediaFromServerPath(const QString &datasetId,
                                                     const AddMediaRequest &request);
    QFuture<AddMediaAccepted> uploadMedia(const QString &datasetId, const AddMediaRequest &request,
                                          const QStringList &files);
    // Lists the preview items of the explore endpoint, the only media listing of Visual Layer.
    QFuture<MediaPage> exploreMedia(const MediaQuery &query);
    void searchTaskPage(const std::shared_ptr<QPromise<TaskInfo>> &promise, const QString &taskId,
                        int page);
    void rememberDataset(const DatasetInfo &info);
    void markRequestAccepted(const QString &datasetId, std::optional<DatasetStatus> statusBefore);
    void pollWatchedDataset(const QString &datasetId);
    void handlePolledDataset(const QString &datasetId, const DatasetInfo &info);
    void scheduleNextPoll(const QString &datasetId);

    RemoteConnection m_connection;
    QUrl m_baseUrl;
    QNetworkAccessManager *m_network = nullptr;
    CredentialStore *m_credentials = nullptr;
    JwtAuthenticator m_authenticator;
    QList<std::function<void(const std::optional<ServiceError> &)>> m_secretWaiters;
    bool m_secretRequested = false;

    std::chrono::milliseconds m_transferTimeout;
    std::chrono::milliseconds m_uploadTimeout;
    std::chrono::milliseconds m_watchInitialInterval{ 1000 };
    std::chrono::milliseconds m_watchMaxInterval{ 30'000 };
    std::chrono::milliseconds m_watchGracePeriod{ 20'000 };

    QMultiHash<QString, QPointer<QNetworkReply>> m_uploads; // dataset id -> running upload
    // Dataset id -> number of cancelUploads() calls, so that uploads that had not started
    // when they were cancelled never start.
    QHash<QString, int> m_uploadCancelGenerations;
    QHash<QString, Watch> m_watches;
    QHash<QString, DatasetStatus> m_lastKnownStatus;
    QHash<QString, PendingOperation> m_pendingOperations;
};

} // namespace Accrete
