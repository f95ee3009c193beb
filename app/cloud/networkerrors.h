#pragma once

#include <chrono>

#include <QByteArray>
#include <QNetworkReply>
#include <QString>
#include <QUrl>

#include "core/serviceerror.h"

namespace Accrete {

// Maps a transport failure (no HTTP status) to ServiceError(0, text): connection refused at
// the URL, host not found, timed out after `timeout`, TLS failure, and so on.
// `errorString` is Qt's own text, appended for the cases without a specific message.
ServiceError networkErrorToServiceError(QNetworkReply::NetworkError error, const QUrl &url,
                                        std::chrono::milliseconds timeout,
                                        const QString &errorString);

// Extracts the `detail` of an error body: a string, FastAPI's 422 array of {loc, msg, type}
// ("body.batch_n_images: value is not a valid integer", items joined by "; "), the
// on-premises {"status":"error","message":...} envelope, or the body itself as text,
// truncated. Falls back to `reasonPhrase` for an empty body.
QString errorDetailFromBody(const QByteArray &body, const QString &reasonPhrase);

// The ServiceError for an HTTP error status and its body.
ServiceError httpErrorToServiceError(int httpStatus, const QByteArray &body,
                                     const QString &reasonPhrase);

} // namespace Accrete
