#include "apihandlers.h"

#include <algorithm>
#include <limits>

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeDatabase>
#include <QUrl>
#include <QUrlQuery>

#include "core/datasetservice.h"
#include "core/logging.h"
#include "core/requests.h"
#include "servicecall.h"
#include "uploadcleaner.h"
#include "uploadreceiver.h"

namespace Accrete {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ApiServer", text);
}

QString toQString(const std::string &text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString firstParam(const httplib::Params &params, const char *name)
{
    const auto it = params.find(name);
    return it == params.end() ? QString() : toQString(it->second);
}

bool hasParam(const httplib::Params &params, const char *name)
{
    return params.find(name) != params.end();
}

QString pathArgument(const httplib::Request &request, int group)
{
    return group < int(request.matches.size()) ? toQString(request.matches[group].str()) : QString();
}

// Booleans as FastAPI (pydantic) reads them from query strings and form fields.
std::optional<bool> parseBool(const QString &text)
{
    const QString value = text.trimmed().toLower();
    static const QStringList trueValues = { QStringLiteral("true"), QStringLiteral("1"),
                                            QStringLiteral("yes"), QStringLiteral("on"),
                                            QStringLiteral("y"), QStringLiteral("t") };
    static const QStringList falseValues = { QStringLiteral("false"), QStringLiteral("0"),
                                             QStringLiteral("no"), QStringLiteral("off"),
                                             QStringLiteral("n"), QStringLiteral("f") };
    if (trueValues.contains(value))
        return true;
    if (falseValues.contains(value))
        return false;
    return std::nullopt;
}

// Parses an optional boolean; an empty value counts as absent. Appends a 422 entry to
// `errors` for a malformed value.
std::optional<bool> optionalBool(const QString &text, const QString &location, const QString &field,
                                 QJsonArray &errors)
{
    if (text.isEmpty())
        return std::nullopt;
    const std::optional<bool> value = parseBool(text);
    if (!value) {
        errors.append(validationError(location, field, QStringLiteral("bool_parsing"),
                                      tr("Input should be a valid boolean, unable to interpret input")));
    }
    return value;
}

std::optional<int> optionalInt(const QString &text, const QString &location, const QString &field,
                               QJsonArray &errors)
{
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok) {
        errors.append(validationError(
            location, field, QStringLiteral("int_parsing"),
            tr("Input should be a valid integer, unable to parse string as an integer")));
        return std::nullopt;
    }
    return value;
}

void checkRange(std::optional<int> value, int minimum, int maximum, const QString &location,
                const QString &field, QJsonArray &errors)
{
    if (!value)
        return;
    if (*value < minimum) {
        errors.append(validationError(location, field, QStringLiteral("greater_than_equal"),
                                      tr("Input should be greater than or equal to %1").arg(minimum)));
    } else if (*value > maximum) {
        errors.append(validationError(location, field, QStringLiteral("less_than_equal"),
                                      tr("Input should be less than or equal to %1").arg(maximum)));
    }
}

QJsonObject missingField(const QString &location, const QString &field)
{
    return validationError(location, field, QStringLiteral("missing"), tr("Field required"));
}

// The on-premises envelope of `/api/v1/process`, with `detail` too for clients that read the
// REST error envelope.
ApiResponse processError(int status, const QString &message)
{
    return ApiResponse::json(status, QJsonDocument(QJsonObject{
                                         { QStringLiteral("status"), QStringLiteral("error") },
                                         { QStringLiteral("message"), message },
                                         { QStringLiteral("detail"), message },
                                     }));
}

// Items per page of the media listing: the default and the maximum of `limit`.
constexpr int defaultMediaPageSize = 100;
constexpr int maxMediaPageSize = 1000;
// The explore endpoint pages by clusters, 100 per page as the Visual Layer API does.
constexpr int clustersPerPage = 100;
// Previews listed per explore cluster, which bounds the response size; `n_images` and
// `n_videos` still count every item of the cluster.
constexpr int maxPreviewsPerCluster = 100;
// Maximum width and height, in pixels, of a thumbnail made on request: the size the
// pipeline stores.
constexpr int thumbnailSize = 256;

// A server-relative URL of one item's resource ("file" or "thumbnail").
QString mediaUrl(const QString &datasetId, const QString &mediaId, QLatin1String resource)
{
    return QStringLiteral("/api/v1/dataset/%1/media/%2/%3")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(datasetId)),
             QString::fromLatin1(QUrl::toPercentEncoding(mediaId)), resource);
}

// `item` as the listing sends it: the stored file and the thumbnail as URLs of this server.
// Local origins name files and upload folders of the server's machine, so their
// `origin_path` is replaced by the path inside the dropped folder or archive.
QJsonObject servedItemJson(MediaItem item, const QString &datasetId)
{
    item.mediaUri = mediaUrl(datasetId, item.id, QLatin1String("file"));
    item.thumbnailUri = mediaUrl(datasetId, item.id, QLatin1String("thumbnail"));
    if (item.origin != QLatin1String("s3"))
        item.originPath = item.relativePath;
    return item.toJson();
}

QJsonObject explorePreviewJson(const MediaItem &item, const QString &datasetId)
{
    return QJsonObject{
        { QStringLiteral("type"), mediaKindToApiString(item.kind) },
        { QStringLiteral("media_id"), item.id },
        { QStringLiteral("media_uri"), mediaUrl(datasetId, item.id, QLatin1String("file")) },
        { QStringLiteral("media_thumb_uri"), mediaUrl(datasetId, item.id, QLatin1String("thumbnail")) },
        { QStringLiteral("caption"), QJsonValue::Null },
        { QStringLiteral("file_name"), item.fileName },
        { QStringLiteral("bounding_box"), QJsonValue::Null },
        { QStringLiteral("relevance_score"), 0 },
        { QStringLiteral("relevance_score_type"), QStringLiteral("cosine_distance") },
        { QStringLiteral("width"), item.width },
        { QStringLiteral("height"), item.height },
    };
}

// One cluster of the explore response, gathered while the listing is read in cluster order.
struct ExploreCluster
{
    qint64 clusterId = -1;
    int itemCount = 0; // items of the requested kind, listed in `previews` or not
    QJsonArray previews;

    QJsonObject toJson(MediaKind kind, const QString &threshold) const
    {
        const bool videos = kind == MediaKind::Video;
        return QJsonObject{
            { QStringLiteral("cluster_id"), clusterId },
            { QStringLiteral("type"), videos ? QStringLiteral("VIDEOS") : QStringLiteral("IMAGES") },
            { QStringLiteral("n_images"), videos ? 0 : itemCount },
            { QStringLiteral("n_objects"), 0 },
            { QStringLiteral("n_videos"), videos ? itemCount : 0 },
            { QStringLiteral("similarity_threshold"), threshold },
            { QStringLiteral("relevance_score"), 0 },
            { QStringLiteral("relevance_score_type"), QStringLiteral("cosine_distance") },
            { QStringLiteral("previews"), previews },
            { QStringLiteral("labels"), QJsonArray() },
            { QStringLiteral("user_tags"), QJsonArray() },
            { QStringLiteral("captions"), QJsonArray() },
        };
    }
};

} // namespace

ApiHandlers::ApiHandlers(DatasetService *service, UploadCleaner *uploadCleaner,
                         ApiServerOptions options, const std::atomic_bool &stopping)
    : m_service(service)
    , m_uploadCleaner(uploadCleaner)
    , m_options(std::move(options))
    , m_allowedRoots(m_options.allowedRoots)
    , m_stopping(stopping)
{
}

template <typename T>
T ApiHandlers::call(std::function<QFuture<T>()> request) const
{
    return callInServiceThread<T>(m_service, std::move(request), m_stopping,
                                  std::chrono::milliseconds(m_options.serviceTimeoutMs));
}

ApiResponse ApiHandlers::listDatasets(const httplib::Request &request)
{
    QJsonArray errors;
    const QString sortBy = hasParam(request.params, "sort_by") ? firstParam(request.params, "sort_by")
                                                               : QStringLiteral("date");
    // There are no hidden datasets in this backend, so the flag is only validated.
    optionalBool(firstParam(request.params, "include_hidden"), QStringLiteral("query"),
                 QStringLiteral("include_hidden"), errors);
    if (!errors.isEmpty())
        return ApiResponse::validationErrors(errors);

    DatasetService *service = m_service;
    QList<DatasetInfo> datasets =
        call<QList<DatasetInfo>>([service]() { return service->listDatasets(); });

    if (sortBy == QLatin1String("date")) {
        std::stable_sort(datasets.begin(), datasets.end(), [](const DatasetInfo &a, const DatasetInfo &b) {
            return a.createdAt > b.createdAt;
        });
    } else if (sortBy == QLatin1String("name") || sortBy == QLatin1String("display_name")) {
        std::stable_sort(datasets.begin(), datasets.end(), [](const DatasetInfo &a, const DatasetInfo &b) {
            return a.displayName.localeAwareCompare(b.displayName) < 0;
        });
    }

    QJsonArray array;
    for (const DatasetInfo &dataset : std::as_const(datasets))
        array.append(dataset.toJson());
    return ApiResponse::json(200, QJsonDocument(array));
}

ApiResponse ApiHandlers::getDataset(const httplib::Request &request)
{
    const QString datasetId = pathArgument(request, 1);
    DatasetService *service = m_service;
    ApiResponse response;
    try {
        const DatasetInfo dataset =
            call<DatasetInfo>([service, datasetId]() { return service->dataset(datasetId); });
        response = ApiResponse::json(200, QJsonDocument(dataset.toJson()));
    } catch (const ServiceError &error) {
        response = ApiResponse::error(error);
    }
    response.datasetId = datasetId;
    return response;
}

ApiResponse ApiHandlers::addMedia(const httplib::Request &request, const httplib::ContentReader &reader)
{
    const QString datasetId = pathArgument(request, 1);
    UploadReceiver upload(m_options.uploadDir, m_options.maxUploadSize);

    // The HTTP library skips a body whose Content-Length exceeds the limit without passing
    // any of it on, so nothing reaches the disk.
    const quint64 declaredLength = request.get_header_value<uint64_t>("Content-Length");
    const bool declaredTooLarge = declaredLength > quint64(m_options.maxUploadSize);

    bool bodyRead = false;
    if (!hasBody(request)) {
        bodyRead = true; // no sources: rejected below
    } else if (request.is_multipart_form_data()) {
        bodyRead = reader(
            [&upload](const httplib::MultipartFormData &part) {
                return upload.beginPart(toQString(part.name), toQString(part.filename));
            },
            [&upload](const char *data, size_t size) { return upload.appendData(data, qint64(size)); });
        bodyRead = upload.finish() && bodyRead;
    } else {
        httplib::Params formFields;
        bodyRead = readFormBody(request, &reader, formFields);
        for (const auto &[name, value] : formFields)
            upload.addField(toQString(name), toQString(value));
    }

    if (declaredTooLarge || upload.failure() == UploadReceiver::Failure::TooLarge) {
        ApiResponse response = ApiResponse::error(
            413, declaredTooLarge
                     ? tr("Request body of %1 bytes exceeds the maximum upload size of %2 bytes; "
                          "split the upload into smaller requests or raise --max-upload-size.")
                           .arg(declaredLength)
                           .arg(m_options.maxUploadSize)
                     : upload.failureDetail());
        response.datasetId = datasetId;
        return response;
    }
    if (upload.failure() == UploadReceiver::Failure::WriteFailed) {
        qCWarning(lcServer) << "Upload for dataset" << datasetId << "failed:" << upload.failureDetail();
        return ApiResponse::error(500, upload.failureDetail());
    }
    if (upload.failure() == UploadReceiver::Failure::FieldTooLarge)
        return ApiResponse::error(400, upload.failureDetail());
    if (!bodyRead)
        return ApiResponse::error(400, tr("Malformed request body: expected multipart/form-data."));

    // Form fields.
    QJsonArray errors;
    const QString body = QStringLiteral("body");
    AddMediaRequest mediaRequest;
    mediaRequest.files = upload.files(QStringLiteral("files")) + upload.files(QStringLiteral("files[]"));
    const QStringList archives = upload.files(QStringLiteral("archive"));
    QStringList s3Uris = upload.fieldValues(QStringLiteral("s3_uri"));
    s3Uris.removeAll(QString());
    const auto lastValue = [&upload](const char *name) {
        const QStringList values = upload.fieldValues(QLatin1String(name));
        return values.isEmpty() ? QString() : values.constLast();
    };
    mediaRequest.autoReindex =
        optionalBool(lastValue("auto_reindex"), body, QStringLiteral("auto_reindex"), errors).value_or(false);
    mediaRequest.assumeRole = lastValue("assume_role");
    mediaRequest.batchNImages = optionalInt(lastValue("batch_n_images"), body, QStringLiteral("batch_n_images"), errors);
    mediaRequest.batchNVideos = optionalInt(lastValue("batch_n_videos"), body, QStringLiteral("batch_n_videos"), errors);
    mediaRequest.batchNObjects = optionalInt(lastValue("batch_n_objects"), body, QStringLiteral("batch_n_objects"), errors);
    mediaRequest.useSpot = optionalBool(lastValue("use_spot"), body, QStringLiteral("use_spot"), errors);
    if (!errors.isEmpty()) {
        ApiResponse response = ApiResponse::validationErrors(errors);
        response.datasetId = datasetId;
        return response;
    }

    // A second archive or S3 URI is a second source as much as a different kind would be.
    if (archives.size() > 1 || s3Uris.size() > 1) {
        ApiResponse response = ApiResponse::error(ServiceError::exactlyOneSource());
        response.datasetId = datasetId;
        return response;
    }
    mediaRequest.archive = archives.value(0);
    mediaRequest.s3Uri = s3Uris.value(0);
    if (const std::optional<ServiceError> invalid = mediaRequest.validate()) {
        ApiResponse response = ApiResponse::error(*invalid);
        response.datasetId = datasetId;
        return response;
    }

    // The cleaner takes the folder over in the service's thread, before any later signal of
    // the task can arrive there.
    DatasetService *service = m_service;
    UploadCleaner *cleaner = m_uploadCleaner;
    const QString folder = upload.folder();
    AddMediaAccepted accepted;
    try {
        accepted = call<AddMediaAccepted>([service, cleaner, datasetId, mediaRequest, folder]() {
            return service->addMedia(datasetId, mediaRequest)
                .then(cleaner, [cleaner, folder](const AddMediaAccepted &result) {
                    cleaner->track(result.taskId, folder);
                    return result;
                });
        });
    } catch (const ServiceError &error) {
        // 503 and 504 mean the outcome is unknown: leave the folder for the next start,
        // which removes it unless a task took it over.
        if (error.code() == 503 || error.code() == 504)
            upload.release();
        ApiResponse response = ApiResponse::error(error);
        response.datasetId = datasetId;
        return response;
    }
    upload.release();

    ApiResponse response = ApiResponse::accepted();
    response.datasetId = datasetId;
    response.taskId = accepted.taskId;
    return response;
}

ApiResponse ApiHandlers::reindex(const httplib::Request &request, const httplib::ContentReader &reader)
{
    discardBody(request, reader);
    const QString datasetId = pathArgument(request, 1);
    DatasetService *service = m_service;
    ApiResponse response;
    try {
        call<void>([service, datasetId]() { return service->reindex(datasetId); });
        response = ApiResponse::accepted();
    } catch (const ServiceError &error) {
        response = ApiResponse::error(error);
    }
    response.datasetId = datasetId;
    return response;
}

ApiResponse ApiHandlers::listTasks(const httplib::Request &request)
{
    const httplib::Params &params = request.params;
    const QString query = QStringLiteral("query");
    QJsonArray errors;
    TaskQuery taskQuery;
    taskQuery.datasetId = firstParam(params, "dataset_id");
    taskQuery.datasetName = firstParam(params, "dataset_name");

    const QString taskType = firstParam(params, "task_type");
    if (!taskType.isEmpty()) {
        taskQuery.type = parseTaskType(taskType);
        if (!taskQuery.type) {
            errors.append(validationError(
                query, QStringLiteral("task_type"), QStringLiteral("enum"),
                tr("Input should be 'DATASET_CREATION', 'MEDIA_ADDITION', 'REINDEX', 'ENRICHMENT', "
                   "'CUSTOM_METADATA', 'SNAPSHOT_RESTORE' or 'SNAPSHOT_CLONE'")));
        }
    }
    const QString taskStatus = firstParam(params, "task_status");
    if (!taskStatus.isEmpty()) {
        taskQuery.status = parseTaskStatus(taskStatus);
        if (!taskQuery.status) {
            errors.append(validationError(
                query, QStringLiteral("task_status"), QStringLiteral("enum"),
                tr("Input should be 'INITIALIZING', 'RUNNING', 'COMPLETED', 'FAILED' or 'ABORTED'")));
        }
    }

    static const QStringList sortFields = { QStringLiteral("start_time"),   QStringLiteral("status"),
                                            QStringLiteral("task_type"),    QStringLiteral("dataset_name"),
                                            QStringLiteral("dataset_id"),   QStringLiteral("created_by") };
    const QString sortBy = firstParam(params, "sort_by");
    if (!sortBy.isEmpty()) {
        if (sortFields.contains(sortBy)) {
            taskQuery.sortBy = sortBy;
        } else {
            errors.append(validationError(query, QStringLiteral("sort_by"), QStringLiteral("enum"),
                                          tr("Input should be 'start_time', 'status', 'task_type', "
                                             "'dataset_name', 'dataset_id' or 'created_by'")));
        }
    }
    const QString sortOrder = firstParam(params, "sort_order");
    if (sortOrder == QLatin1String("asc")) {
        taskQuery.ascending = true;
    } else if (!sortOrder.isEmpty() && sortOrder != QLatin1String("desc")) {
        errors.append(validationError(query, QStringLiteral("sort_order"), QStringLiteral("enum"),
                                      tr("Input should be 'asc' or 'desc'")));
    }

    const std::optional<int> page = optionalInt(firstParam(params, "page"), query, QStringLiteral("page"), errors);
    checkRange(page, 1, std::numeric_limits<int>::max(), query, QStringLiteral("page"), errors);
    const std::optional<int> pageSize =
        optionalInt(firstParam(params, "page_size"), query, QStringLiteral("page_size"), errors);
    checkRange(pageSize, 5, 50, query, QStringLiteral("page_size"), errors);
    if (!errors.isEmpty())
        return ApiResponse::validationErrors(errors);
    taskQuery.page = page.value_or(1);
    taskQuery.pageSize = pageSize.value_or(20);

    DatasetService *service = m_service;
    const TaskPage taskPage = call<TaskPage>([service, taskQuery]() { return service->tasks(taskQuery); });
    ApiResponse response = ApiResponse::json(200, QJsonDocument(taskPage.toJson()));
    response.datasetId = taskQuery.datasetId;
    return response;
}

ApiResponse ApiHandlers::listMedia(const httplib::Request &request)
{
    const QString datasetId = pathArgument(request, 1);
    const httplib::Params &params = request.params;
    const QString query = QStringLiteral("query");
    QJsonArray errors;
    const std::optional<int> offset =
        optionalInt(firstParam(params, "offset"), query, QStringLiteral("offset"), errors);
    checkRange(offset, 0, std::numeric_limits<int>::max(), query, QStringLiteral("offset"), errors);
    const std::optional<int> limit =
        optionalInt(firstParam(params, "limit"), query, QStringLiteral("limit"), errors);
    checkRange(limit, 1, maxMediaPageSize, query, QStringLiteral("limit"), errors);

    MediaQuery mediaQuery;
    mediaQuery.datasetId = datasetId;
    mediaQuery.offset = offset.value_or(0);
    mediaQuery.limit = limit.value_or(defaultMediaPageSize);
    const QString sort = firstParam(params, "sort");
    if (!sort.isEmpty()) {
        const std::optional<MediaSort> parsed = parseMediaSort(sort);
        if (parsed) {
            mediaQuery.sort = *parsed;
        } else {
            errors.append(validationError(query, QStringLiteral("sort"), QStringLiteral("enum"),
                                          tr("Input should be 'added', 'cluster', 'duplicates' or "
                                             "'outliers'")));
        }
    }

    ApiResponse response;
    if (!errors.isEmpty()) {
        response = ApiResponse::validationErrors(errors);
        response.datasetId = datasetId;
        return response;
    }
    try {
        DatasetService *service = m_service;
        const MediaPage page = call<MediaPage>([service, mediaQuery]() { return service->media(mediaQuery); });
        QJsonArray items;
        for (const MediaItem &item : page.items)
            items.append(servedItemJson(item, datasetId));
        response = ApiResponse::json(200, QJsonDocument(QJsonObject{
                                              { QStringLiteral("items"), items },
                                              { QStringLiteral("total"), page.total },
                                              { QStringLiteral("offset"), page.offset },
                                          }));
    } catch (const ServiceError &error) {
        response = ApiResponse::error(error);
    }
    response.datasetId = datasetId;
    return response;
}

ApiResponse ApiHandlers::mediaThumbnail(const httplib::Request &request)
{
    const QString datasetId = pathArgument(request, 1);
    const QString mediaId = pathArgument(request, 2);
    ApiResponse response;
    try {
        const MediaItem item = findMediaItem(datasetId, mediaId);
        auto stored = std::make_shared<QFile>(item.thumbnailUri);
        if (!item.thumbnailUri.isEmpty() && QFileInfo(item.thumbnailUri).isFile()
            && stored->open(QIODevice::ReadOnly)) {
            // The pipeline stores every thumbnail as JPEG.
            response = ApiResponse::file(std::move(stored), QByteArrayLiteral("image/jpeg"));
        } else {
            DatasetService *service = m_service;
            const QImage image = call<QImage>([service, item]() {
                return service->thumbnail(item, QSize(thumbnailSize, thumbnailSize));
            });
            QByteArray jpeg;
            QBuffer buffer(&jpeg);
            buffer.open(QIODevice::WriteOnly);
            if (!image.save(&buffer, "JPEG", 90))
                throw ServiceError(500, tr("The thumbnail of media %1 could not be encoded as JPEG.").arg(mediaId));
            response.status = 200;
            response.body = jpeg;
            response.contentType = QByteArrayLiteral("image/jpeg");
        }
    } catch (const ServiceError &error) {
        response = ApiResponse::error(error);
    }
    response.datasetId = datasetId;
    return response;
}

ApiResponse ApiHandlers::mediaFile(const httplib::Request &request)
{
    const QString datasetId = pathArgument(request, 1);
    const QString mediaId = pathArgument(request, 2);
    ApiResponse response;
    try {
        const MediaItem item = findMediaItem(datasetId, mediaId);
        const QFileInfo info(item.mediaUri);
        auto file = std::make_shared<QFile>(item.mediaUri);
        if (item.mediaUri.isEmpty() || !info.isFile() || !file->open(QIODevice::ReadOnly)) {
            qCWarning(lcServer).noquote() << "The stored file of media" << mediaId << "in dataset"
                                          << datasetId << "cannot be read:" << item.mediaUri;
            throw ServiceError(500, tr("The stored file of media %1 cannot be read on the server; "
                                       "check the server's log and its media store.")
                                        .arg(mediaId));
        }
        const QMimeType type = QMimeDatabase().mimeTypeForFile(info);
        response = ApiResponse::file(std::move(file), type.name().toUtf8());
    } catch (const ServiceError &error) {
        response = ApiResponse::error(error);
    }
    response.datasetId = datasetId;
    return response;
}

ApiResponse ApiHandlers::explore(const httplib::Request &request)
{
    const QString datasetId = pathArgument(request, 1);
    const httplib::Params &params = request.params;
    const QString query = QStringLiteral("query");
    QJsonArray errors;
    const QString entityType =
        hasParam(params, "entity_type") ? firstParam(params, "entity_type") : QStringLiteral("IMAGES");
    static const QStringList entityTypes = { QStringLiteral("IMAGES"), QStringLiteral("OBJECTS"),
                                             QStringLiteral("VIDEOS") };
    if (!entityTypes.contains(entityType)) {
        errors.append(validationError(query, QStringLiteral("entity_type"), QStringLiteral("enum"),
                                      tr("Input should be 'IMAGES', 'OBJECTS' or 'VIDEOS'")));
    }
    const std::optional<int> threshold =
        optionalInt(firstParam(params, "threshold"), query, QStringLiteral("threshold"), errors);
    checkRange(threshold, 0, 4, query, QStringLiteral("threshold"), errors);
    const std::optional<int> pageNumber =
        optionalInt(firstParam(params, "page_number"), query, QStringLiteral("page_number"), errors);
    checkRange(pageNumber, 0, std::numeric_limits<int>::max(), query, QStringLiteral("page_number"), errors);

    ApiResponse response;
    if (!errors.isEmpty()) {
        response = ApiResponse::validationErrors(errors);
        response.datasetId = datasetId;
        return response;
    }

    // NOTE: the search parameters (anchor_media_id, caption, labels, tags, vql, ...) are
    // ignored, and every threshold yields the clusters of the last reindex.
    try {
        QJsonArray clusters;
        if (entityType == QLatin1String("OBJECTS")) {
            // This pipeline detects no objects; the call only checks that the dataset exists.
            DatasetService *service = m_service;
            call<DatasetInfo>([service, datasetId]() { return service->dataset(datasetId); });
        } else {
            const MediaKind kind = entityType == QLatin1String("VIDEOS") ? MediaKind::Video : MediaKind::Image;
            clusters = exploreClusters(datasetId, kind, qint64(pageNumber.value_or(0)) * clustersPerPage,
                                       QString::number(threshold.value_or(0)));
        }
        response = ApiResponse::json(200, QJsonDocument(QJsonObject{
                                              { QStringLiteral("clusters"), clusters },
                                              { QStringLiteral("metadata"),
                                                QJsonObject{ { QStringLiteral("used_duckdb"), false } } },
                                          }));
    } catch (const ServiceError &error) {
        response = ApiResponse::error(error);
    }
    response.datasetId = datasetId;
    return response;
}

MediaItem ApiHandlers::findMediaItem(const QString &datasetId, const QString &mediaId) const
{
    DatasetService *service = m_service;
    return call<MediaItem>([service, datasetId, mediaId]() { return service->mediaItem(datasetId, mediaId); });
}

QJsonArray ApiHandlers::exploreClusters(const QString &datasetId, MediaKind kind, qint64 first,
                                        const QString &threshold) const
{
    // Sorted by cluster, the items of one cluster are consecutive. Items that no reindex has
    // clustered yet (cluster id -1) come last, and each of them is a cluster of its own.
    // NOTE: every page reads the listing from its start, so a page costs time linear in the
    // dataset's size.
    MediaQuery mediaQuery;
    mediaQuery.datasetId = datasetId;
    mediaQuery.limit = maxMediaPageSize;
    mediaQuery.sort = MediaSort::Cluster;

    DatasetService *service = m_service;
    QJsonArray clusters;
    std::optional<ExploreCluster> cluster; // the cluster being gathered, when it is on the page
    qint64 clusterIndex = -1;
    std::optional<qint64> currentClusterId;
    const auto flush = [&]() {
        if (cluster)
            clusters.append(cluster->toJson(kind, threshold));
        cluster.reset();
    };
    for (;;) {
        const MediaPage page = call<MediaPage>([service, mediaQuery]() { return service->media(mediaQuery); });
        for (const MediaItem &item : page.items) {
            if (item.kind != kind)
                continue;
            const bool startsCluster = item.clusterId < 0 || currentClusterId != item.clusterId;
            if (startsCluster) {
                flush();
                ++clusterIndex;
                currentClusterId = item.clusterId;
            }
            if (clusterIndex < first)
                continue;
            if (clusterIndex >= first + clustersPerPage)
                return clusters;
            if (startsCluster) {
                cluster.emplace();
                cluster->clusterId = item.clusterId;
            }
            ++cluster->itemCount;
            if (cluster->previews.size() < maxPreviewsPerCluster)
                cluster->previews.append(explorePreviewJson(item, datasetId));
        }
        mediaQuery.offset += int(page.items.size());
        if (page.items.isEmpty() || mediaQuery.offset >= page.total)
            break;
    }
    flush();
    return clusters;
}

ApiResponse ApiHandlers::processCreate(const httplib::Request &request, const httplib::ContentReader *reader)
{
    httplib::Params params = request.params;
    if (!readFormBody(request, reader, params))
        return ApiResponse::error(413, tr("Form body is larger than 64 KiB."));

    QJsonArray errors;
    const QString path = firstParam(params, "path");
    if (path.isEmpty())
        errors.append(missingField(QStringLiteral("query"), QStringLiteral("path")));
    if (!errors.isEmpty())
        return ApiResponse::validationErrors(errors);

    QString canonicalPath;
    bool missing = false;
    if (std::optional<ApiResponse> rejected = checkPath(path, canonicalPath, missing))
        return *rejected;
    if (missing)
        return processError(400, QStringLiteral("Invalid path specified"));

    CreateDatasetRequest createRequest;
    createRequest.path = canonicalPath;
    createRequest.name = firstParam(params, "name").trimmed();
    if (createRequest.name.isEmpty())
        createRequest.name = QFileInfo(canonicalPath).fileName();

    DatasetService *service = m_service;
    DatasetInfo dataset;
    try {
        dataset = call<DatasetInfo>([service, createRequest]() { return service->createDataset(createRequest); });
    } catch (const ServiceError &error) {
        return processError(ApiResponse::error(error).status, error.detail());
    }

    ApiResponse response = ApiResponse::json(
        200, QJsonDocument(QJsonObject{
                 { QStringLiteral("status"), QStringLiteral("success") },
                 { QStringLiteral("message"), QStringLiteral("Dataset processing started") },
                 { QStringLiteral("dataset_id"), dataset.id },
                 { QStringLiteral("name"), dataset.displayName.isEmpty() ? createRequest.name : dataset.displayName },
             }));
    response.datasetId = dataset.id;
    return response;
}

ApiResponse ApiHandlers::processAddMedia(const httplib::Request &request, const httplib::ContentReader *reader)
{
    httplib::Params params = request.params;
    if (!readFormBody(request, reader, params))
        return ApiResponse::error(413, tr("Form body is larger than 64 KiB."));

    const QString query = QStringLiteral("query");
    QJsonArray errors;
    const QString datasetId = firstParam(params, "dataset_id");
    const QString path = firstParam(params, "path");
    if (datasetId.isEmpty())
        errors.append(missingField(query, QStringLiteral("dataset_id")));
    if (path.isEmpty())
        errors.append(missingField(query, QStringLiteral("path")));
    AddMediaRequest mediaRequest;
    mediaRequest.autoReindex =
        optionalBool(firstParam(params, "auto_reindex"), query, QStringLiteral("auto_reindex"), errors)
            .value_or(false);
    if (!errors.isEmpty())
        return ApiResponse::validationErrors(errors);

    QString canonicalPath;
    bool missing = false;
    std::optional<ApiResponse> rejected = checkPath(path, canonicalPath, missing);
    if (!rejected && missing) {
        rejected = ApiResponse::error(400, tr("Path '%1' does not exist on the server.").arg(path));
    }
    if (rejected) {
        rejected->datasetId = datasetId;
        return *rejected;
    }

    mediaRequest.path = canonicalPath;
    DatasetService *service = m_service;
    ApiResponse response;
    try {
        const AddMediaAccepted accepted = call<AddMediaAccepted>(
            [service, datasetId, mediaRequest]() { return service->addMedia(datasetId, mediaRequest); });
        response = ApiResponse::accepted();
        response.taskId = accepted.taskId;
    } catch (const ServiceError &error) {
        response = ApiResponse::error(error);
    }
    response.datasetId = datasetId;
    return response;
}

bool ApiHandlers::hasBody(const httplib::Request &request)
{
    if (request.has_header("Content-Length"))
        return request.get_header_value<uint64_t>("Content-Length") > 0;
    return request.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
}

void ApiHandlers::discardBody(const httplib::Request &request, const httplib::ContentReader &reader)
{
    if (!hasBody(request))
        return;
    if (request.is_multipart_form_data()) {
        reader([](const httplib::MultipartFormData &) { return true; },
               [](const char *, size_t) { return true; });
    } else {
        reader([](const char *, size_t) { return true; });
    }
}

bool ApiHandlers::readFormBody(const httplib::Request &request, const httplib::ContentReader *reader,
                               httplib::Params &params)
{
    if (!reader || !hasBody(request))
        return true;
    const bool isForm = request.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0;
    if (!isForm) {
        discardBody(request, *reader);
        return true;
    }

    constexpr qsizetype maxFormSize = 64 * 1024;
    QByteArray body;
    bool tooLarge = false;
    (*reader)([&body, &tooLarge](const char *data, size_t size) {
        if (tooLarge || body.size() + qsizetype(size) > maxFormSize) {
            tooLarge = true;
            return true; // keep reading so that the error response can be delivered
        }
        body.append(data, qsizetype(size));
        return true;
    });
    if (tooLarge)
        return false;

    const QUrlQuery form(QString::fromUtf8(body).replace(QLatin1Char('+'), QLatin1Char(' ')));
    const auto items = form.queryItems(QUrl::FullyDecoded);
    for (const auto &[name, value] : items)
        params.emplace(name.toStdString(), value.toStdString());
    return true;
}

std::optional<ApiResponse> ApiHandlers::checkPath(const QString &path, QString &canonicalPath,
                                                  bool &missing) const
{
    missing = false;
    const QString roots = m_allowedRoots.roots().join(QStringLiteral(", "));
    if (m_allowedRoots.isEmpty()) {
        return ApiResponse::error(
            403, tr("Path '%1' is rejected: this server accepts no path parameters. Restart it with "
                    "--allow-root DIR to allow paths inside DIR.")
                     .arg(path));
    }

    const AllowedRoots::Result result = m_allowedRoots.check(path);
    switch (result.verdict) {
    case AllowedRoots::Verdict::Allowed:
        canonicalPath = result.canonicalPath;
        return std::nullopt;
    case AllowedRoots::Verdict::Missing:
        missing = true;
        return std::nullopt;
    case AllowedRoots::Verdict::NotAbsolute:
        return ApiResponse::error(
            403, tr("Path '%1' is rejected: it must be absolute and inside an allowed root (%2).")
                     .arg(path, roots));
    case AllowedRoots::Verdict::Outside:
        break;
    }
    return ApiResponse::error(
        403, tr("Path '%1' is rejected: it is outside the allowed roots (%2). Restart the server "
                "with --allow-root for a folder that contains it.")
                 .arg(path, roots));
}

} // namespace Accrete
