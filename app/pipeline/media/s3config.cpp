#include "s3config.h"

#include <QtGlobal>

namespace Accrete {

namespace {

QString firstSetVariable(std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        const QString value = qEnvironmentVariable(name).trimmed();
        if (!value.isEmpty())
            return value;
    }
    return {};
}

QByteArray encodeKey(const QString &key)
{
    // Unreserved characters and '/' stay as they are and everything else is %XX-encoded.
    // That is the canonical URI that S3 signs, because S3 does not encode paths twice.
    return QUrl::toPercentEncoding(key, QByteArrayLiteral("/"));
}

} // namespace

S3Config S3Config::fromEnvironment()
{
    S3Config config;
    config.accessKeyId = qEnvironmentVariable("AWS_ACCESS_KEY_ID").trimmed();
    config.secretAccessKey = qEnvironmentVariable("AWS_SECRET_ACCESS_KEY").trimmed();
    config.sessionToken = qEnvironmentVariable("AWS_SESSION_TOKEN").trimmed();
    const QString region = firstSetVariable({ "AWS_REGION", "AWS_DEFAULT_REGION" });
    if (!region.isEmpty())
        config.region = region;
    const QString endpoint
        = firstSetVariable({ "ACCRETE_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL" });
    if (!endpoint.isEmpty())
        config.endpoint = QUrl(endpoint);
    return config;
}

QString S3Config::objectUrl(const QString &bucket, const QString &key) const
{
    const QString encodedKey = QString::fromLatin1(encodeKey(key));
    if (endpoint.isEmpty()) {
        // Virtual-hosted style, except for bucket names with dots, which do not match the
        // wildcard TLS certificate of *.s3.<region>.amazonaws.com.
        if (bucket.contains(QLatin1Char('.'))) {
            return QStringLiteral("https://s3.%1.amazonaws.com/%2/%3")
                .arg(region, bucket, encodedKey);
        }
        return QStringLiteral("https://%1.s3.%2.amazonaws.com/%3").arg(bucket, region, encodedKey);
    }
    QString base = endpoint.toString(QUrl::RemoveQuery | QUrl::RemoveFragment
                                     | QUrl::StripTrailingSlash);
    return base + QLatin1Char('/') + bucket + QLatin1Char('/') + encodedKey;
}

QString S3Config::endpointName() const
{
    if (endpoint.isEmpty())
        return QStringLiteral("https://s3.%1.amazonaws.com").arg(region);
    return endpoint.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery
                             | QUrl::RemoveFragment);
}

} // namespace Accrete
