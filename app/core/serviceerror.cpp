#include "serviceerror.h"

namespace Accrete {

ServiceError::ServiceError(int code, QString detail)
    : m_code(code)
    , m_detail(std::move(detail))
    , m_what(toString().toUtf8())
{
}

QString ServiceError::toString() const
{
    if (m_code == 0)
        return m_detail;
    return QStringLiteral("%1: %2").arg(m_code).arg(m_detail);
}

const char *ServiceError::what() const noexcept
{
    return m_what.constData();
}

void ServiceError::raise() const
{
    throw *this;
}

ServiceError *ServiceError::clone() const
{
    return new ServiceError(*this);
}

// The texts below are the API's documented `detail` strings; clients match on them.

ServiceError ServiceError::notFound()
{
    return ServiceError(404, QStringLiteral("Dataset not found"));
}

ServiceError ServiceError::exactlyOneSource()
{
    return ServiceError(
        400, QStringLiteral("Exactly one media source must be provided: files[], s3_uri, or archive"));
}

ServiceError ServiceError::noEmbeddingConfig(const QString &datasetId)
{
    return ServiceError(400,
                        QStringLiteral("Dataset %1 has no embedding_config \u2014 index the dataset first.")
                            .arg(datasetId));
}

ServiceError ServiceError::invalidS3Uri(const QString &uri)
{
    return ServiceError(400, QStringLiteral("Invalid S3 URI or no media files found at %1").arg(uri));
}

ServiceError ServiceError::addMediaDisabled()
{
    return ServiceError(403, QStringLiteral("Add media feature is not enabled"));
}

// An Accrete extension of the API, so this text is not a documented one.
ServiceError ServiceError::mediaNotFound(const QString &datasetId, const QString &mediaId)
{
    return ServiceError(404, QStringLiteral("Media %1 not found in dataset %2; reload the media "
                                            "list to get current ids.")
                                 .arg(mediaId, datasetId));
}

} // namespace Accrete
