#pragma once

#include <memory>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

class QFile;

namespace Accrete {

class ServiceError;

// One HTTP response of the API, plus the ids that the request log line names.
struct ApiResponse
{
    int status = 200;
    QByteArray body;
    QByteArray contentType;
    // An open file sent as the body instead of `body`. The HTTP worker thread that handles
    // the request streams it in chunks and keeps it open until the transfer ends.
    std::shared_ptr<QFile> bodyFile;
    QString datasetId;
    QString taskId;

    static ApiResponse json(int status, const QJsonDocument &document);
    // 202 Accepted with an empty body, the success response of add_media and reindex.
    static ApiResponse accepted();
    // `{"detail": "<detail>"}`, the API's error envelope.
    // 200 with the bytes of `file`, which must be open for reading, streamed from disk.
    static ApiResponse file(std::shared_ptr<QFile> file, const QByteArray &contentType);
    static ApiResponse error(int status, const QString &detail);
    static ApiResponse error(const ServiceError &error);
    // 422 with FastAPI's validation error array in `detail`.
    static ApiResponse validationErrors(const QJsonArray &errors);
};

// Builds one entry of a 422 `detail` array: `{"type", "loc": [location, field], "msg"}`.
QJsonObject validationError(const QString &location, const QString &field, const QString &type,
                            const QString &message);

} // namespace Accrete
