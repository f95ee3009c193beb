#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace Accrete {

class ServiceError;

// One HTTP response of the API, plus the ids that the request log line names.
struct ApiResponse
{
    int status = 200;
    QByteArray body;
    QByteArray contentType;
    QString datasetId;
    QString taskId;

    static ApiResponse json(int status, const QJsonDocument &document);
    // 202 Accepted with an empty body, the success response of add_media and reindex.
    static ApiResponse accepted();
    // `{"detail": "<detail>"}`, the API's error envelope.
    static ApiResponse error(int status, const QString &detail);
    static ApiResponse error(const ServiceError &error);
    // 422 with FastAPI's validation error array in `detail`.
    static ApiResponse validationErrors(const QJsonArray &errors);
};

// Builds one entry of a 422 `detail` array: `{"type", "loc": [location, field], "msg"}`.
QJsonObject validationError(const QString &location, const QString &field, const QString &type,
                            const QString &message);

} // namespace Accrete
