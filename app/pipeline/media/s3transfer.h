#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include "pipeline/media/s3config.h"

typedef void CURL;
typedef void CURLM;
struct curl_slist;

namespace Accrete {

// One signed S3 GET request (ListObjectsV2 or GetObject) through libcurl, read as a stream.
// libcurl's write callback fills a buffer of at most 1 MiB and pauses the transfer while it
// is full, so an object of any size is never held in memory. Blocking, so use it on a worker
// thread. Not thread-safe.
class S3Transfer
{
public:
    using QueryItems = QList<QPair<QString, QString>>;

    // `query` is sent in the given order; list it sorted by name, because libcurl 7.88 signs
    // the query string as it is written.
    S3Transfer(const S3Config &config, const QString &bucket, const QString &key,
               const QueryItems &query = {});
    ~S3Transfer();
    S3Transfer(const S3Transfer &) = delete;
    S3Transfer &operator=(const S3Transfer &) = delete;

    // Sends the request and waits for the response headers. Returns false when the request
    // failed (connection, timeout) or S3 returned a status other than 2xx; errorString() and
    // s3ErrorCode() then name the cause.
    bool start();

    // Reads up to `maxSize` bytes of the body. Returns 0 at the end of the body and -1 on an
    // error (see errorString()).
    qint64 read(char *data, qint64 maxSize);

    // Reads the whole body, for responses known to be small (listing pages). Returns false
    // on an error or when the body exceeds `maxSize` bytes.
    bool readAll(QByteArray *body, qint64 maxSize);

    int httpStatus() const { return m_httpStatus; }
    qint64 contentLength() const { return m_contentLength; } // -1 when not sent
    QString s3ErrorCode() const { return m_s3ErrorCode; }    // "NoSuchKey", "NoSuchBucket", ...
    QString errorString() const { return m_error; }
    QString url() const { return m_url; }

private:
    static size_t writeCallback(char *data, size_t size, size_t count, void *self);
    static size_t headerCallback(char *data, size_t size, size_t count, void *self);
    size_t receiveBody(const char *data, size_t size);
    size_t receiveHeader(const char *data, size_t size);

    // Runs libcurl until more body bytes are buffered, the headers are complete (when
    // `untilHeaders`) or the transfer ends. Returns false once the transfer has failed.
    bool pump(bool untilHeaders);
    void finishTransfer(int curlCode);
    void describeHttpError();

    S3Config m_config;
    QString m_url;
    CURL *m_easy = nullptr;
    CURLM *m_multi = nullptr;
    curl_slist *m_headers = nullptr;
    char m_curlError[256] = {};

    QByteArray m_buffer;        // body bytes not yet read
    qsizetype m_bufferOffset = 0;
    QByteArray m_errorBody;     // body of a non-2xx response, at most maxErrorBodyBytes
    bool m_paused = false;
    bool m_started = false;
    bool m_headersDone = false;
    bool m_done = false;
    bool m_failed = false;
    int m_httpStatus = 0;
    qint64 m_contentLength = -1;
    QString m_s3ErrorCode;
    QString m_error;
};

} // namespace Accrete
