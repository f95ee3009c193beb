#include "cloudservice.h"

#include <algorithm>

#include <QBuffer>
#include <QDirIterator>
#include <QFileInfo>
#include <QHttpMultiPart>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QtConcurrent>

#include "cloud/credentialstore.h"
#include "cloud/networkerrors.h"
#include "core/logging.h"

namespace Accrete {

namespace {

// Reply properties set by the service before it aborts a reply itself.
constexpr char cancelledProperty[] = "accreteUploadCancelled";
constexpr char tooLargeProperty[] = "accreteResponseTooLarge";
// Set once the whole request body of an upload was sent.
constexpr char uploadSentProperty[] = "accreteUploadSent";

// Pages fetched by task() while it looks for a task in the task list, 50 tasks each.
constexpr int maxTaskLookupPages = 20;
constexpr int taskLookupPageSize = 50;

template<typename T>
QFuture<T> failedFuture(const ServiceError &error)
{
    QPromise<T> promise;
    promise.start();
    promise.setException(error);
    promise.finish();
    return promise.future();
}

QJsonDocument parseJson(const QByteArray &body, const QString &what)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        throw ServiceError(0, CloudService::tr("The server sent an invalid response to %1: %2 "
                                               "at byte %3.")
                                  .arg(what, parseError.errorString())
                                  .arg(parseError.offset));
    }
    return document;
}

QJsonObject parseJsonObject(const QByteArray &body, const QString &what)
{
    const QJsonDocument document = parseJson(body, what);
    if (!document.isObject()) {
        throw ServiceError(0, CloudService::tr("The server sent an invalid response to %1: "
                                               "expected a JSON object.").arg(what));
    }
    return document.object();
}

QString boolField(bool value)
{
    return value ? QStringLiteral("true") : QStringLiteral("false");
}

// Expands folders in `paths` into the files below them, recursively. Runs on a worker thread.
QStringList expandFolders(const QStringList &paths)
{
    QStringList files;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (!info.isDir()) {
            files.append(info.absoluteFilePath());
            continue;
        }
        QStringList found;
        QDirIterator it(info.absoluteFilePath(), QDir::Files | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            found.append(it.next());
        found.sort();
        files.append(found);
    }
    return files;
}

bool needsFolderExpansion(const QStringList &paths)
{
    return std::any_of(paths.cbegin(), paths.cend(),
                       [](const QString &path) { return QFileInfo(path).isDir(); });
}

// Reads the `{"items", "total", "offset"}` page of the media listing.
MediaPage parseMediaPage(const QByteArray &body, const QString &datasetId)
{
    const QJsonObject object =
        parseJsonObject(body, QStringLiteral("GET /api/v1/dataset/%1/media").arg(datasetId));
    MediaPage page;
    page.total = object.value(QStringLiteral("total")).toInt();
    page.offset = object.value(QStringLiteral("offset")).toInt();
    const QJsonArray items = object.value(QStringLiteral("items")).toArray();
    for (const QJsonValue &value : items) {
        MediaItem item = MediaItem::fromJson(value.toObject());
        if (item.datasetId.isEmpty())
            item.datasetId = datasetId;
        page.items.append(std::move(item));
    }
    return page;
}

// True for the 404 or 405 of a route the server does not serve, as opposed to the
// 404 "Dataset not found" of a route it serves.
bool isMissingRoute(const ServiceError &error)
{
    return (error.code() == 404 && error.detail() != ServiceError::notFound().detail())
        || error.code() == 405;
}

QImage decodeThumbnail(const QByteArray &bytes, const QSize &size)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAutoTransform(true);
    const QSize original = reader.size();
    if (original.isValid() && size.isValid() && !size.isEmpty())
        reader.setScaledSize(original.scaled(size, Qt::KeepAspectRatio));
    QImage image = reader.read();
    if (image.isNull()) {
        throw ServiceError(0, CloudService::tr("Cannot decode the thumbnail: %1.")
                                  .arg(reader.errorString()));
    }
    if (size.isValid() && !size.isEmpty()
        && (image.width() > size.width() || image.height() > size.height())) {
        image = image.scaled(size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    }
    return image;
}

} // namespace

CloudService::CloudService(const RemoteConnection &connection, QObject *parent)
    : DatasetService(parent)
    , m_connection(connection)
    , m_baseUrl(connection.effectiveBaseUrl())
    , m_network(new QNetworkAccessManager(this))
    , m_credentials(new CredentialStore(this))
    , m_transferTimeout(connection.transferTimeout)
    , m_uploadTimeout(connection.uploadTimeout)
{
    if (m_connection.apiKey.isEmpty())
        m_connection.apiKey = CredentialStore::environmentApiKey();
    m_authenticator = JwtAuthenticator(m_connection.apiKey, m_connection.apiSecret.toUtf8());
    m_network->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

CloudService::~CloudService()
{
    // Replies are children of the access manager, so they are aborted here before any handler
    // can run against a half-destroyed service.
    disconnect(m_network, nullptr, this, nullptr);
    const auto replies = m_network->findChildren<QNetworkReply *>();
    for (QNetworkReply *reply : replies) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
    }
}

void CloudService::setWatchIntervals(std::chrono::milliseconds initial,
                                     std::chrono::milliseconds maximum)
{
    m_watchInitialInterval = initial;
    m_watchMaxInterval = std::max(initial, maximum);
}

void CloudService::setWatchGracePeriod(std::chrono::milliseconds gracePeriod)
{
    m_watchGracePeriod = gracePeriod;
}

void CloudService::setTransferTimeout(std::chrono::milliseconds timeout)
{
    m_transferTimeout = timeout;
}

void CloudService::setUploadTimeout(std::chrono::milliseconds timeout)
{
    m_uploadTimeout = timeout;
}

QString CloudService::connectionName() const
{
    const QString url = m_baseUrl.toString(QUrl::StripTrailingSlash);
    if (m_connection.kind == RemoteConnection::Kind::Cloud)
        return tr("Visual Layer Cloud (%1)").arg(url);
    return tr("Server (%1)").arg(url);
}

// ---- Requests --------------------------------------------------------------------------

QUrl CloudService::urlFor(const Request &request) const
{
    if (!request.absoluteUrl.isEmpty())
        return request.absoluteUrl;
    QUrl url = m_baseUrl;
    QString basePath = url.path();
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    url.setPath(basePath + request.path);
    if (!request.query.isEmpty())
        url.setQuery(request.query);
    return url;
}

bool CloudService::isSameOrigin(const QUrl &url) const
{
    return url.scheme() == m_baseUrl.scheme() && url.host() == m_baseUrl.host()
        && url.port(url.scheme() == QLatin1String("https") ? 443 : 80)
        == m_baseUrl.port(m_baseUrl.scheme() == QLatin1String("https") ? 443 : 80);
}

QFuture<CloudService::Response> CloudService::send(Request request)
{
    auto promise = std::make_shared<QPromise<Response>>();
    promise->start();
    QFuture<Response> future = promise->future();
    startAttempt(std::make_shared<Request>(std::move(request)), promise, 0);
    return future;
}

void CloudService::fetchSecretThen(const ResponsePromise &promise, std::function<void()> next)
{
    m_secretWaiters.append([promise, next = std::move(next)](const std::optional<ServiceError> &error) {
        if (error) {
            promise->setException(*error);
            promise->finish();
            return;
        }
        next();
    });
    if (m_secretRequested)
        return;
    m_secretRequested = true;

    auto notifyWaiters = [this](const std::optional<ServiceError> &error) {
        m_secretRequested = false;
        const auto waiters = std::exchange(m_secretWaiters, {});
        for (const auto &waiter : waiters)
            waiter(error);
    };
    m_credentials->readSecret(m_baseUrl, m_connection.apiKey)
        .then(this, [this, notifyWaiters](const QString &secret) {
            m_authenticator.setSecret(secret.toUtf8());
            notifyWaiters(std::nullopt);
        })
        .onFailed(this, [notifyWaiters](const ServiceError &error) { notifyWaiters(error); });
}

void CloudService::startAttempt(const std::shared_ptr<Request> &request,
                                const ResponsePromise &promise, int attempt)
{
    const bool authenticate = request->authenticate && !m_connection.noAuth
        && (request->absoluteUrl.isEmpty() || isSameOrigin(request->absoluteUrl));
    if (!authenticate) {
        sendWithToken(request, promise, attempt, {});
        return;
    }
    if (m_connection.apiKey.isEmpty()) {
        promise->setException(ServiceError(
            0, tr("No API key for %1. Enter the API key in the connection settings or set "
                  "ACCRETE_API_KEY; for a server without authentication, turn authentication "
                  "off.").arg(m_baseUrl.toString())));
        promise->finish();
        return;
    }
    if (!m_authenticator.hasSecret()) {
        fetchSecretThen(promise, [this, request, promise, attempt] {
            startAttempt(request, promise, attempt);
        });
        return;
    }

    QString error;
    const QByteArray token = m_authenticator.token(QDateTime::currentDateTimeUtc(), &error);
    if (token.isEmpty()) {
        promise->setException(ServiceError(0, error));
        promise->finish();
        return;
    }
    sendWithToken(request, promise, attempt, token);
}

void CloudService::sendWithToken(const std::shared_ptr<Request> &request,
                                 const ResponsePromise &promise, int attempt,
                                 const QByteArray &token)
{
    const bool isUpload = !request->uploadDatasetId.isEmpty();
    if (isUpload
        && m_uploadCancelGenerations.value(request->uploadDatasetId) != request->uploadCancelGeneration) {
        qCInfo(lcCloud) << "Upload to dataset" << request->uploadDatasetId
                        << "cancelled before it started";
        promise->setException(ServiceError(0, tr("Upload cancelled: no media was sent to dataset %1.")
                                                   .arg(request->uploadDatasetId)));
        promise->finish();
        return;
    }
    const QUrl url = urlFor(*request);

    QNetworkRequest networkRequest(url);
    networkRequest.setTransferTimeout(int(isUpload ? m_uploadTimeout.count()
                                                   : m_transferTimeout.count()));
    networkRequest.setRawHeader("Accept", "application/json");
    networkRequest.setHeader(QNetworkRequest::UserAgentHeader,
                             QStringLiteral("Accrete/%1").arg(QCoreApplication::applicationVersion()));
    if (!token.isEmpty()) {
        networkRequest.setRawHeader("Authorization", "Bearer " + token);
        // A token must never follow a redirect to another host.
        networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                                    QNetworkRequest::SameOriginRedirectPolicy);
    }

    QNetworkReply *reply = nullptr;
    if (!request->form.isEmpty()) {
        QString error;
        QHttpMultiPart *multipart = request->form.build(nullptr, &error);
        if (!multipart) {
            promise->setException(ServiceError(0, error));
            promise->finish();
            return;
        }
        reply = m_network->sendCustomRequest(networkRequest, request->method, multipart);
        multipart->setParent(reply);
    } else if (request->method == "GET") {
        reply = m_network->get(networkRequest);
    } else {
        reply = m_network->sendCustomRequest(networkRequest, request->method, QByteArray());
    }

    QElapsedTimer elapsed;
    elapsed.start();
    if (isUpload) {
        m_uploads.insert(request->uploadDatasetId, reply);
        const QString datasetId = request->uploadDatasetId;
        connect(reply, &QNetworkReply::uploadProgress, this,
                [this, reply, datasetId](qint64 sent, qint64 total) {
                    // Qt reports (0, 0) when the request ends, which is not progress.
                    if (total <= 0)
                        return;
                    if (sent >= total)
                        reply->setProperty(uploadSentProperty, true);
                    Q_EMIT uploadProgress(datasetId, sent, total);
                });
    }
    const qint64 maxResponseBytes = request->maxResponseBytes;
    connect(reply, &QNetworkReply::downloadProgress, this,
            [reply, maxResponseBytes](qint64 received, qint64) {
                if (received > maxResponseBytes && !reply->property(tooLargeProperty).toBool()) {
                    reply->setProperty(tooLargeProperty, true);
                    reply->abort();
                }
            });
    connect(reply, &QNetworkReply::finished, this, [this, reply, request, promise, attempt, elapsed] {
        handleFinished(reply, request, promise, attempt, elapsed.elapsed());
    });
}

void CloudService::handleFinished(QNetworkReply *reply, const std::shared_ptr<Request> &request,
                                  const ResponsePromise &promise, int attempt, qint64 elapsedMs)
{
    reply->deleteLater();
    const bool isUpload = !request->uploadDatasetId.isEmpty();
    if (isUpload)
        m_uploads.remove(request->uploadDatasetId, reply);

    const QUrl url = reply->url();
    const QString path = url.path();
    const int httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();

    auto fail = [&promise](const ServiceError &error) {
        promise->setException(error);
        promise->finish();
    };

    if (reply->property(cancelledProperty).toBool()) {
        qCInfo(lcCloud).nospace() << "Upload to dataset " << request->uploadDatasetId
                                  << " cancelled after " << elapsedMs << " ms";
        if (reply->property(uploadSentProperty).toBool()) {
            // The server had the whole request and may have accepted it before the abort.
            fail(ServiceError(0, tr("Upload cancelled while waiting for dataset %1 to accept "
                                    "the files. The server may still add them; check the "
                                    "dataset's status.").arg(request->uploadDatasetId)));
        } else {
            fail(ServiceError(0, tr("Upload cancelled: no media was sent to dataset %1.")
                                     .arg(request->uploadDatasetId)));
        }
        return;
    }
    if (reply->property(tooLargeProperty).toBool()) {
        qCWarning(lcCloud).nospace() << request->method.constData() << ' ' << path
                                     << " aborted: response larger than "
                                     << request->maxResponseBytes << " bytes";
        fail(ServiceError(0, tr("The response from %1 is larger than %2 MiB and was rejected.")
                                 .arg(url.toString(QUrl::RemoveQuery))
                                 .arg(request->maxResponseBytes / (1024 * 1024))));
        return;
    }
    if (httpStatus == 0) {
        const auto timeout = isUpload ? m_uploadTimeout : m_transferTimeout;
        const ServiceError error =
            networkErrorToServiceError(reply->error(), url, timeout, reply->errorString());
        qCWarning(lcCloud).nospace() << request->method.constData() << ' ' << path << " failed after "
                                     << elapsedMs << " ms: " << error.detail();
        fail(error);
        return;
    }

    const QByteArray body = reply->readAll();
    qCInfo(lcCloud).nospace() << request->method.constData() << ' ' << path << " -> " << httpStatus
                              << " (" << elapsedMs << " ms)";

    const bool authenticated = reply->request().hasRawHeader("Authorization");
    if (httpStatus == 401 && authenticated) {
        if (attempt == 0) {
            qCInfo(lcCloud).nospace() << request->method.constData() << ' ' << path
                                      << " returned 401; minting a new token and retrying once";
            m_authenticator.invalidate();
            startAttempt(request, promise, attempt + 1);
            return;
        }
        fail(ServiceError(401, tr("Authentication failed at %1 with a newly minted token (%2). "
                                  "Check the API key %3 and its secret.")
                                   .arg(m_baseUrl.toString(), errorDetailFromBody(body, reason),
                                        m_connection.apiKey)));
        return;
    }
    if (httpStatus >= 400) {
        const ServiceError error = httpErrorToServiceError(httpStatus, body, reason);
        qCInfo(lcCloud).nospace() << request->method.constData() << ' ' << path
                                  << " rejected: " << error.toString();
        fail(error);
        return;
    }
    promise->addResult(Response{ httpStatus, body });
    promise->finish();
}

// ---- Datasets --------------------------------------------------------------------------

void CloudService::rememberDataset(const DatasetInfo &info)
{
    if (!info.id.isEmpty())
        m_lastKnownStatus.insert(info.id, info.status);
}

QFuture<QList<DatasetInfo>> CloudService::listDatasets()
{
    Request request;
    request.path = QStringLiteral("/api/v1/datasets");
    return send(std::move(request)).then(this, [this](const Response &response) {
        const QJsonDocument document = parseJson(response.body, QStringLiteral("GET /api/v1/datasets"));
        // The API returns an array, and some servers wrap it as {"datasets": [...]}.
        const QJsonArray array = document.isArray()
            ? document.array()
            : document.object().value(QStringLiteral("datasets")).toArray();
        QList<DatasetInfo> datasets;
        datasets.reserve(array.size());
        for (const QJsonValue &value : array) {
            DatasetInfo info = DatasetInfo::fromJson(value.toObject());
            rememberDataset(info);
            datasets.append(std::move(info));
        }
        return datasets;
    });
}

QFuture<DatasetInfo> CloudService::dataset(const QString &datasetId)
{
    Request request;
    request.path = QStringLiteral("/api/v1/dataset/%1").arg(QString::fromLatin1(QUrl::toPercentEncoding(datasetId)));
    return send(std::move(request)).then(this, [this](const Response &response) {
        DatasetInfo info = DatasetInfo::fromJson(
            parseJsonObject(response.body, QStringLiteral("GET /api/v1/dataset")));
        rememberDataset(info);
        return info;
    });
}

QFuture<DatasetInfo> CloudService::createDataset(const CreateDatasetRequest &createRequest)
{
    Request request;
    if (m_connection.kind == RemoteConnection::Kind::Server) {
        // On-premises form: the path is read by the server from its own file system.
        request.method = "POST";
        request.path = QStringLiteral("/api/v1/process");
        request.query.addQueryItem(QStringLiteral("path"), createRequest.path);
        request.query.addQueryItem(QStringLiteral("name"), createRequest.name);
    } else {
        if (!isValidS3Uri(createRequest.path)) {
            return failedFuture<DatasetInfo>(ServiceError(
                400, tr("Visual Layer Cloud creates datasets from an S3 path such as "
                        "s3://bucket/folder/; \"%1\" is not one.").arg(createRequest.path)));
        }
        request.method = "POST";
        request.path = QStringLiteral("/api/v1/dataset");
        request.form.addField(QStringLiteral("dataset_name"), createRequest.name);
        request.form.addField(QStringLiteral("bucket_path"), createRequest.path);
    }

    const QString name = createRequest.name;
    return send(std::move(request))
        .then(this, [this, name](const Response &response) {
            const QJsonObject object =
                parseJsonObject(response.body, QStringLiteral("dataset creation"));
            // The on-premises form reports failures as {"status":"error","message":...}.
            if (object.value(QStringLiteral("status")).toString() == QLatin1String("error")) {
                throw ServiceError(400, object.value(QStringLiteral("message")).toString());
            }
            const QString id = object.value(QStringLiteral("dataset_id")).toVariant().toString();
            if (id.isEmpty()) {
                throw ServiceError(0, tr("The server accepted the dataset \"%1\" but returned "
                                         "no dataset_id.").arg(name));
            }
            qCInfo(lcCloud) << "Dataset" << id << "created from" << name;
            markRequestAccepted(id, DatasetStatus::Draft);
            Q_EMIT datasetListChanged();
            return id;
        })
        .then(this, [this, name](const QString &id) {
            // Reading the new dataset back gives its real status. If that read fails, the
            // caller still gets the id of the dataset that now exists.
            return dataset(id).onFailed(this, [id, name](const ServiceError &error) {
                qCWarning(lcCloud) << "Dataset" << id << "created but not readable yet:"
                                   << error.toString();
                DatasetInfo info;
                info.id = id;
                info.displayName = name;
                info.status = DatasetStatus::Draft;
                return info;
            });
        })
        .unwrap();
}

// ---- add_media and reindex -------------------------------------------------------------

QFuture<AddMediaAccepted> CloudService::addMedia(const QString &datasetId,
                                                 const AddMediaRequest &request)
{
    if (const auto rejection = request.validate()) {
        qCInfo(lcCloud) << "add_media to dataset" << datasetId << "rejected locally:"
                        << rejection->toString();
        return failedFuture<AddMediaAccepted>(*rejection);
    }
    if (!request.path.isEmpty())
        return addMediaFromServerPath(datasetId, request);
    if (!request.files.isEmpty() && needsFolderExpansion(request.files)) {
        // Walking a folder tree is disk I/O, so it runs on a worker thread.
        const int generation = m_uploadCancelGenerations.value(datasetId);
        return QtConcurrent::run(&expandFolders, request.files)
            .then(this, [this, datasetId, request, generation](const QStringList &files) {
                if (m_uploadCancelGenerations.value(datasetId) != generation) {
                    throw ServiceError(0, tr("Upload cancelled: no media was sent to dataset %1.")
                                              .arg(datasetId));
                }
                if (files.isEmpty()) {
                    throw ServiceError(400, tr("The folders %1 contain no files to add.")
                                                .arg(request.files.join(QStringLiteral(", "))));
                }
                return uploadMedia(datasetId, request, files);
            })
            .unwrap();
    }
    return uploadMedia(datasetId, request, request.files);
}

QFuture<AddMediaAccepted> CloudService::addMediaFromServerPath(const QString &datasetId,
                                                               const AddMediaRequest &addRequest)
{
    if (m_connection.kind != RemoteConnection::Kind::Server) {
        return failedFuture<AddMediaAccepted>(ServiceError(
            400, tr("Visual Layer Cloud cannot read a path on the server (%1). Upload the "
                    "files or an archive, or give an s3:// URI.").arg(addRequest.path)));
    }
    Request request;
    request.path = QStringLiteral("/api/v1/process/add_media");
    request.query.addQueryItem(QStringLiteral("dataset_id"), datasetId);
    request.query.addQueryItem(QStringLiteral("path"), addRequest.path);
    if (addRequest.autoReindex)
        request.query.addQueryItem(QStringLiteral("auto_reindex"), boolField(true));

    const auto statusBefore = m_lastKnownStatus.contains(datasetId)
        ? std::optional(m_lastKnownStatus.value(datasetId))
        : std::nullopt;
    return send(std::move(request)).then(this, [this, datasetId, statusBefore](const Response &response) {
        markRequestAccepted(datasetId, statusBefore);
        const QJsonObject object = QJsonDocument::fromJson(response.body).object();
        if (object.value(QStringLiteral("status")).toString() == QLatin1String("error"))
            throw ServiceError(400, object.value(QStringLiteral("message")).toString());
        return AddMediaAccepted{ datasetId, object.value(QStringLiteral("task_id")).toVariant().toString() };
    });
}

QFuture<AddMediaAccepted> CloudService::uploadMedia(const QString &datasetId,
                                                    const AddMediaRequest &addRequest,
                                                    const QStringList &files)
{
    Request request;
    request.method = "POST";
    request.path = QStringLiteral("/api/v1/dataset/%1/add_media")
                       .arg(QString::fromLatin1(QUrl::toPercentEncoding(datasetId)));
    for (const QString &file : files)
        request.form.addFile(QStringLiteral("files"), file);
    if (!addRequest.archive.isEmpty())
        request.form.addFile(QStringLiteral("archive"), addRequest.archive);
    if (!addRequest.s3Uri.isEmpty())
        request.form.addField(QStringLiteral("s3_uri"), addRequest.s3Uri);
    if (addRequest.autoReindex)
        request.form.addField(QStringLiteral("auto_reindex"), boolField(true));
    if (!addRequest.assumeRole.isEmpty())
        request.form.addField(QStringLiteral("assume_role"), addRequest.assumeRole);
    if (addRequest.batchNImages)
        request.form.addField(QStringLiteral("batch_n_images"), QString::number(*addRequest.batchNImages));
    if (addRequest.batchNVideos)
        request.form.addField(QStringLiteral("batch_n_videos"), QString::number(*addRequest.batchNVideos));
    if (addRequest.batchNObjects)
        request.form.addField(QStringLiteral("batch_n_objects"), QString::number(*addRequest.batchNObjects));
    if (addRequest.useSpot)
        request.form.addField(QStringLiteral("use_spot"), boolField(*addRequest.useSpot));
    if (request.form.hasFiles()) {
        request.uploadDatasetId = datasetId;
        request.uploadCancelGeneration = m_uploadCancelGenerations.value(datasetId);
    }

    qCInfo(lcCloud).nospace() << "add_media to dataset " << datasetId << ": " << files.size()
                              << " files" << (addRequest.archive.isEmpty() ? "" : ", 1 archive")
                              << (addRequest.s3Uri.isEmpty() ? "" : ", an S3 URI")
                              << (addRequest.autoReindex ? ", auto_reindex" : "");
    const auto statusBefore = m_lastKnownStatus.contains(datasetId)
        ? std::optional(m_lastKnownStatus.value(datasetId))
        : std::nullopt;
    return send(std::move(request)).then(this, [this, datasetId, statusBefore](const Response &response) {
        markRequestAccepted(datasetId, statusBefore);
        // The API returns 202 with an empty body, and `accrete-cli serve` may add the task id.
        const QJsonObject object = QJsonDocument::fromJson(response.body).object();
        return AddMediaAccepted{ datasetId, object.value(QStringLiteral("task_id")).toVariant().toString() };
    });
}

QFuture<void> CloudService::reindex(const QString &datasetId)
{
    Request request;
    request.method = "POST";
    request.path = QStringLiteral("/api/v1/dataset/%1/reindex")
                       .arg(QString::fromLatin1(QUrl::toPercentEncoding(datasetId)));
    const auto statusBefore = m_lastKnownStatus.contains(datasetId)
        ? std::optional(m_lastKnownStatus.value(datasetId))
        : std::nullopt;
    return send(std::move(request)).then(this, [this, datasetId, statusBefore](const Response &) {
        markRequestAccepted(datasetId, statusBefore);
    });
}

void CloudService::cancelUploads(const QString &datasetId)
{
    ++m_uploadCancelGenerations[datasetId];
    const auto replies = m_uploads.values(datasetId);
    for (const QPointer<QNetworkReply> &reply : replies) {
        if (!reply)
            continue;
        qCInfo(lcCloud) << "Cancelling an upload to dataset" << datasetId;
        reply->setProperty(cancelledProperty, true);
        reply->abort();
    }
}

// ---- Tasks and media -------------------------------------------------------------------

QFuture<TaskPage> CloudService::tasks(const TaskQuery &query)
{
    Request request;
    request.path = QStringLiteral("/api/v1/tasks");
    if (!query.datasetId.isEmpty())
        request.query.addQueryItem(QStringLiteral("dataset_id"), query.datasetId);
    if (!query.datasetName.isEmpty())
        request.query.addQueryItem(QStringLiteral("dataset_name"), query.datasetName);
    if (query.type)
        request.query.addQueryItem(QStringLiteral("task_type"), taskTypeToApiString(*query.type));
    if (query.status)
        request.query.addQueryItem(QStringLiteral("task_status"), taskStatusToApiString(*query.status));
    if (!query.sortBy.isEmpty())
        request.query.addQueryItem(QStringLiteral("sort_by"), query.sortBy);
    request.query.addQueryItem(QStringLiteral("sort_order"),
                               query.ascending ? QStringLiteral("asc") : QStringLiteral("desc"));
    request.query.addQueryItem(QStringLiteral("page"), QString::number(query.page));
    request.query.addQueryItem(QStringLiteral("page_size"), QString::number(query.pageSize));
    return send(std::move(request)).then(this, [](const Response &response) {
        return TaskPage::fromJson(parseJsonObject(response.body, QStringLiteral("GET /api/v1/tasks")));
    });
}

QFuture<TaskInfo> CloudService::task(const QString &taskId)
{
    // The API has no single-task endpoint, so the task list is searched page by page.
    auto promise = std::make_shared<QPromise<TaskInfo>>();
    promise->start();
    QFuture<TaskInfo> future = promise->future();
    searchTaskPage(promise, taskId, 1);
    return future;
}

void CloudService::searchTaskPage(const std::shared_ptr<QPromise<TaskInfo>> &promise,
                                  const QString &taskId, int page)
{
    TaskQuery query;
    query.page = page;
    query.pageSize = taskLookupPageSize;
    tasks(query)
        .then(this, [this, promise, taskId, page](const TaskPage &result) {
            for (const TaskInfo &info : result.tasks) {
                if (info.taskId == taskId) {
                    promise->addResult(info);
                    promise->finish();
                    return;
                }
            }
            const bool morePages =
                qint64(page) * taskLookupPageSize < result.total && !result.tasks.isEmpty();
            if (morePages && page < maxTaskLookupPages) {
                searchTaskPage(promise, taskId, page + 1);
                return;
            }
            promise->setException(ServiceError(404, tr("Task %1 not found.").arg(taskId)));
            promise->finish();
        })
        .onFailed(this, [promise](const ServiceError &error) {
            promise->setException(error);
            promise->finish();
        });
}

QFuture<MediaPage> CloudService::media(const MediaQuery &query)
{
    if (m_connection.kind == RemoteConnection::Kind::Cloud)
        return exploreMedia(query);

    // `accrete-cli serve` lists every item with its real total. Other servers return 404 (or
    // 405) for this route, not the 404 "Dataset not found" of a served route, and are then
    // asked for the explore previews instead.
    Request request;
    request.path = QStringLiteral("/api/v1/dataset/%1/media")
                       .arg(QString::fromLatin1(QUrl::toPercentEncoding(query.datasetId)));
    request.query.addQueryItem(QStringLiteral("offset"), QString::number(std::max(0, query.offset)));
    request.query.addQueryItem(QStringLiteral("limit"), QString::number(std::clamp(query.limit, 1, 1000)));
    request.query.addQueryItem(QStringLiteral("sort"), mediaSortToApiString(query.sort));

    auto promise = std::make_shared<QPromise<MediaPage>>();
    promise->start();
    QFuture<MediaPage> future = promise->future();
    const auto fail = [promise](const ServiceError &error) {
        promise->setException(error);
        promise->finish();
    };
    const QString datasetId = query.datasetId;
    send(std::move(request))
        .then(this, [promise, fail, datasetId](const Response &response) {
            try {
                promise->addResult(parseMediaPage(response.body, datasetId));
                promise->finish();
            } catch (const ServiceError &error) {
                fail(error);
            }
        })
        .onFailed(this, [this, promise, fail, query](const ServiceError &error) {
            if (!isMissingRoute(error)) {
                fail(error);
                return;
            }
            qCInfo(lcCloud) << "The server has no media listing for dataset" << query.datasetId
                            << "(" << error.toString() << "); trying the explore endpoint";
            exploreMedia(query)
                .then(this, [promise](const MediaPage &page) {
                    promise->addResult(page);
                    promise->finish();
                })
                .onFailed(this, fail);
        });
    return future;
}

QFuture<MediaPage> CloudService::exploreMedia(const MediaQuery &query)
{
    // The explore endpoint pages by clusters (100 per page) and returns preview items of each
    // cluster. The page number is derived from the query's offset and limit.
    // NOTE: the items are the explore previews, not every item of the dataset, and `total` is
    // a lower bound. A server without the explore endpoint yields an empty page.
    Request request;
    request.path = QStringLiteral("/api/v1/explore/%1")
                       .arg(QString::fromLatin1(QUrl::toPercentEncoding(query.datasetId)));
    const int limit = std::max(1, query.limit);
    const int pageNumber = query.offset / limit;
    request.query.addQueryItem(QStringLiteral("entity_type"), QStringLiteral("IMAGES"));
    request.query.addQueryItem(QStringLiteral("threshold"), QStringLiteral("0"));
    request.query.addQueryItem(QStringLiteral("page_number"), QString::number(pageNumber));

    const QString datasetId = query.datasetId;
    const int offset = query.offset;
    return send(std::move(request))
        .then(this, [datasetId, offset](const Response &response) {
            const QJsonObject object =
                parseJsonObject(response.body, QStringLiteral("GET /api/v1/explore"));
            MediaPage page;
            page.offset = offset;
            const QJsonArray clusters = object.value(QStringLiteral("clusters")).toArray();
            for (const QJsonValue &clusterValue : clusters) {
                const QJsonObject cluster = clusterValue.toObject();
                const qint64 clusterId = cluster.value(QStringLiteral("cluster_id")).toVariant().toLongLong();
                const QJsonArray previews = cluster.value(QStringLiteral("previews")).toArray();
                for (const QJsonValue &previewValue : previews) {
                    MediaItem item = MediaItem::fromJson(previewValue.toObject());
                    item.datasetId = datasetId;
                    // Visual Layer sends UUID cluster ids, which read as 0 here; only items that
                    // no reindex has clustered yet have the id -1.
                    item.clustered = clusterId >= 0;
                    item.clusterId = clusterId;
                    page.items.append(std::move(item));
                }
            }
            page.total = offset + int(page.items.size());
            return page;
        })
        .onFailed(this, [datasetId, offset](const ServiceError &error) {
            if (isMissingRoute(error)) {
                qCInfo(lcCloud) << "The server has no media listing for dataset" << datasetId
                                << "(" << error.toString() << "); returning an empty page";
                MediaPage page;
                page.offset = offset;
                return page;
            }
            throw error;
        });
}

QFuture<QImage> CloudService::thumbnail(const MediaItem &item, const QSize &size)
{
    const QString uri = item.thumbnailUri.isEmpty() ? item.mediaUri : item.thumbnailUri;
    const QUrl reference(uri);
    Request request;
    request.maxResponseBytes = 16 * 1024 * 1024;
    if (reference.isRelative() && uri.startsWith(QLatin1Char('/')) && reference.query().isEmpty()
        && reference.isValid()) {
        // `accrete-cli serve` sends server-relative URLs. They are resolved below the base
        // URL so that the path of a reverse proxy is kept, and they carry the token.
        request.path = reference.path();
    } else {
        // Absolute URLs (a CDN for Visual Layer Cloud) get the token only on the base URL's
        // origin: see startAttempt().
        const QUrl url = m_baseUrl.resolved(reference);
        if (uri.isEmpty() || !url.isValid()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            return failedFuture<QImage>(ServiceError(
                404, tr("Media %1 has no thumbnail URL that can be downloaded (\"%2\").")
                         .arg(item.id, uri)));
        }
        request.absoluteUrl = url;
    }
    return send(std::move(request)).then(QtFuture::Launch::Async, [size](const Response &response) {
        return decodeThumbnail(response.body, size);
    });
}

// ---- Watching --------------------------------------------------------------------------

void CloudService::markRequestAccepted(const QString &datasetId,
                                       std::optional<DatasetStatus> statusBefore)
{
    m_pendingOperations.insert(datasetId, PendingOperation(statusBefore, m_watchGracePeriod));
    auto it = m_watches.find(datasetId);
    if (it == m_watches.end())
        return;
    // Poll soon: the dataset is about to change.
    it->interval = m_watchInitialInterval;
    if (!it->pollInFlight)
        it->timer->start(m_watchInitialInterval);
}

void CloudService::watchDataset(const QString &datasetId)
{
    if (m_watches.contains(datasetId))
        return;
    qCInfo(lcCloud) << "Watching dataset" << datasetId;
    Watch watch;
    watch.timer = new QTimer(this);
    watch.timer->setSingleShot(true);
    watch.interval = m_watchInitialInterval;
    connect(watch.timer, &QTimer::timeout, this, [this, datasetId] { pollWatchedDataset(datasetId); });
    m_watches.insert(datasetId, watch);
    pollWatchedDataset(datasetId);
}

void CloudService::unwatchDataset(const QString &datasetId)
{
    const auto it = m_watches.constFind(datasetId);
    if (it == m_watches.constEnd())
        return;
    qCInfo(lcCloud) << "Stopped watching dataset" << datasetId;
    it->timer->deleteLater();
    m_watches.erase(it);
}

void CloudService::pollWatchedDataset(const QString &datasetId)
{
    auto it = m_watches.find(datasetId);
    if (it == m_watches.end() || it->pollInFlight)
        return;
    it->pollInFlight = true;
    QTimer *timer = it->timer;
    dataset(datasetId)
        .then(this, [this, datasetId, timer](const DatasetInfo &info) {
            auto watch = m_watches.find(datasetId);
            if (watch == m_watches.end() || watch->timer != timer)
                return; // unwatched meanwhile
            watch->pollInFlight = false;
            handlePolledDataset(datasetId, info);
        })
        .onFailed(this, [this, datasetId, timer](const ServiceError &error) {
            auto watch = m_watches.find(datasetId);
            if (watch == m_watches.end() || watch->timer != timer)
                return;
            watch->pollInFlight = false;
            qCWarning(lcCloud) << "Polling dataset" << datasetId << "failed:" << error.toString();
            Q_EMIT watchFailed(datasetId, error);
            watch = m_watches.find(datasetId); // a slot may have unwatched it
            if (watch == m_watches.end() || watch->timer != timer)
                return;
            watch->interval = std::min(watch->interval * 2, m_watchMaxInterval);
            scheduleNextPoll(datasetId);
        });
}

void CloudService::handlePolledDataset(const QString &datasetId, const DatasetInfo &info)
{
    auto watch = m_watches.find(datasetId);
    const std::optional<DatasetInfo> previous = watch->last;
    const bool statusChanged = !previous || previous->status != info.status;
    const bool changed = statusChanged || previous->progress != info.progress
        || previous->nImages != info.nImages || previous->nVideos != info.nVideos
        || previous->nObjects != info.nObjects || previous->fatalErrorMsg != info.fatalErrorMsg
        || previous->nPendingItems != info.nPendingItems || previous->nClusters != info.nClusters;
    watch->last = info;
    watch->interval = statusChanged ? m_watchInitialInterval
                                    : std::min(watch->interval * 2, m_watchMaxInterval);

    bool settled = isSettledStatus(info.status);
    bool operationEnded = false;
    auto pending = m_pendingOperations.find(datasetId);
    if (pending != m_pendingOperations.end()) {
        pending->observe(info.status);
        if (settled && !pending->isOutcome(info.status)) {
            qCDebug(lcCloud) << "Dataset" << datasetId << "still"
                             << statusToApiString(info.status)
                             << "after an accepted request; polling on";
            settled = false;
        } else if (settled) {
            m_pendingOperations.erase(pending);
            operationEnded = true;
        }
    }

    // The REST API sends no media events, so the items are reported as changed when the
    // counts change, when an accepted add_media or reindex ends, or when another client's
    // operation settles.
    const bool countsChanged =
        previous && (previous->nImages != info.nImages || previous->nVideos != info.nVideos);
    const bool mediaMayHaveChanged =
        countsChanged || operationEnded || (previous && statusChanged && settled);

    if (changed) {
        qCInfo(lcCloud).nospace() << "Dataset " << datasetId << " is "
                                  << statusToApiString(info.status) << " (" << info.progress << "%)";
        Q_EMIT datasetChanged(info);
    }
    if (mediaMayHaveChanged)
        Q_EMIT mediaChanged(datasetId);

    // A slot connected to datasetChanged may have unwatched the dataset.
    watch = m_watches.find(datasetId);
    if (watch == m_watches.end())
        return;
    if (settled) {
        qCInfo(lcCloud) << "Dataset" << datasetId << "settled at"
                        << statusToApiString(info.status) << "; watch stopped";
        unwatchDataset(datasetId);
        return;
    }
    scheduleNextPoll(datasetId);
}

void CloudService::scheduleNextPoll(const QString &datasetId)
{
    const auto watch = m_watches.constFind(datasetId);
    if (watch != m_watches.constEnd())
        watch->timer->start(watch->interval);
}

} // namespace Accrete
