#pragma once

#include <QString>
#include <QUrl>

namespace Accrete {

// Endpoint, credentials and timeouts of S3 requests, which are signed with AWS Signature
// Version 4.
struct S3Config
{
    QString accessKeyId;
    QString secretAccessKey; // never logged
    QString sessionToken;    // sent as x-amz-security-token when set; never logged
    QString region = QStringLiteral("us-east-1");
    // Empty for AWS (https://s3.<region>.amazonaws.com); an S3-compatible server otherwise.
    // A custom endpoint is always addressed path-style (http://host:port/bucket/key).
    QUrl endpoint;

    int connectTimeoutSeconds = 10;
    // A transfer that receives less than 1 byte/s for this long is aborted.
    int lowSpeedTimeSeconds = 60;
    // Limit for the whole of one listing or manifest request; 0 for none. The up-front check
    // of an add_media request sets it, so that the request is answered promptly.
    int requestTimeoutSeconds = 0;
    int maxKeysPerPage = 1000; // ListObjectsV2 max-keys; S3 returns at most 1000

    // Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION or
    // AWS_DEFAULT_REGION, and the endpoint from ACCRETE_S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or
    // AWS_ENDPOINT_URL (first set wins).
    static S3Config fromEnvironment();

    bool hasCredentials() const { return !accessKeyId.isEmpty() && !secretAccessKey.isEmpty(); }

    // The URL of `key` in `bucket` (key empty for the bucket itself), without a query.
    // `key` is percent-encoded segment by segment, as Signature Version 4 expects.
    QString objectUrl(const QString &bucket, const QString &key) const;

    // Scheme, host and port of the endpoint, for log lines and messages.
    QString endpointName() const;
};

} // namespace Accrete
