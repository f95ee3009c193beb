#include "apiresponse.h"

#include <QFile>
#include <QJsonObject>

#include "core/serviceerror.h"

namespace Accrete {

ApiResponse ApiResponse::json(int status, const QJsonDocument &document)
{
    ApiResponse response;
    response.status = status;
    response.body = document.toJson(QJsonDocument::Compact);
    response.contentType = QByteArrayLiteral("application/json");
    return response;
}

ApiResponse ApiResponse::accepted()
{
    ApiResponse response;
    response.status = 202;
    return response;
}

ApiResponse ApiResponse::file(std::shared_ptr<QFile> file, const QByteArray &contentType)
{
    ApiResponse response;
    response.status = 200;
    response.bodyFile = std::move(file);
    response.contentType = contentType;
    return response;
}

ApiResponse ApiResponse::error(int status, const QString &detail)
{
    return json(status, QJsonDocument(QJsonObject{ { QStringLiteral("detail"), detail } }));
}

ApiResponse ApiResponse::error(const ServiceError &serviceError)
{
    // Transport failures of a remote backend (code 0) reach this server's client as a 502.
    const int status = serviceError.code() >= 400 && serviceError.code() <= 599 ? serviceError.code() : 502;
    return error(status, serviceError.detail());
}

ApiResponse ApiResponse::validationErrors(const QJsonArray &errors)
{
    return json(422, QJsonDocument(QJsonObject{ { QStringLiteral("detail"), errors } }));
}

QJsonObject validationError(const QString &location, const QString &field, const QString &type,
                            const QString &message)
{
    return QJsonObject{
        { QStringLiteral("type"), type },
        { QStringLiteral("loc"), QJsonArray{ location, field } },
        { QStringLiteral("msg"), message },
    };
}

} // namespace Accrete
