#pragma once

#include <QException>
#include <QMetaType>
#include <QString>

namespace Accrete {

// A rejected request or failed operation, as the REST API reports it: an HTTP-style status
// code and the `detail` text. Every backend raises the same codes and texts, so callers
// handle one type whether the dataset is embedded, in the cloud or on a server.
//
// `code` is 0 for failures that never reached a server (connection refused, timeout, TLS);
// `detail` then describes the transport failure.
class ServiceError : public QException
{
public:
    ServiceError() = default;
    ServiceError(int code, QString detail);

    int code() const { return m_code; }
    const QString &detail() const { return m_detail; }

    // "409: Operation 'add_media' is blocked while MEDIA_ADDITION task is running"
    QString toString() const;

    const char *what() const noexcept override;
    void raise() const override;
    ServiceError *clone() const override;

    static ServiceError notFound();
    static ServiceError exactlyOneSource();
    static ServiceError noEmbeddingConfig(const QString &datasetId);
    static ServiceError invalidS3Uri(const QString &uri);
    static ServiceError addMediaDisabled();
    // 404 for a `media_id` that the dataset does not contain. Its detail differs from
    // notFound(), so that clients can tell a missing item from a missing dataset.
    static ServiceError mediaNotFound(const QString &datasetId, const QString &mediaId);

private:
    int m_code = 0;
    QString m_detail;
    QByteArray m_what;
};

} // namespace Accrete

Q_DECLARE_METATYPE(Accrete::ServiceError)
