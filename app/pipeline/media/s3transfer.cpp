#include "s3transfer.h"

#include <cstring>
#include <mutex>

#include <curl/curl.h>

#include <QCoreApplication>
#include <QHostAddress>
#include <QUrl>
#include <QXmlStreamReader>

namespace Accrete {

namespace {

constexpr qsizetype maxBufferedBytes = 1024 * 1024;
constexpr qsizetype maxErrorBodyBytes = 64 * 1024;
constexpr int pollIntervalMs = 1000;

// SHA-256 of an empty body: every request here is a GET without a body.
constexpr const char *emptyPayloadHash
    = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

QString trTransfer(const char *text)
{
    return QCoreApplication::translate("Accrete::S3", text);
}

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool isLoopbackHost(const QString &url)
{
    const QString host = QUrl(url).host();
    if (host == QLatin1String("localhost"))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

S3Transfer::S3Transfer(const S3Config &config, const QString &bucket, const QString &key,
                       const QueryItems &query)
    : m_config(config)
    , m_url(config.objectUrl(bucket, key))
{
    QString queryString;
    for (const auto &[name, value] : query) {
        if (!queryString.isEmpty())
            queryString += QLatin1Char('&');
        queryString += QString::fromLatin1(QUrl::toPercentEncoding(name)) + QLatin1Char('=')
            + QString::fromLatin1(QUrl::toPercentEncoding(value));
    }
    if (!queryString.isEmpty())
        m_url += QLatin1Char('?') + queryString;
}

S3Transfer::~S3Transfer()
{
    if (m_multi && m_easy)
        curl_multi_remove_handle(m_multi, m_easy);
    if (m_easy)
        curl_easy_cleanup(m_easy);
    if (m_multi)
        curl_multi_cleanup(m_multi);
    curl_slist_free_all(m_headers);
}

bool S3Transfer::start()
{
    if (m_started)
        return !m_failed;
    m_started = true;
    initCurlOnce();
    m_easy = curl_easy_init();
    m_multi = curl_multi_init();
    if (!m_easy || !m_multi) {
        m_failed = true;
        m_error = trTransfer("cannot initialise libcurl");
        return false;
    }

    const QByteArray url = m_url.toUtf8();
    const QByteArray sigv4 = QByteArrayLiteral("aws:amz:") + m_config.region.toUtf8()
        + QByteArrayLiteral(":s3");
    const QByteArray user = m_config.accessKeyId.toUtf8();
    const QByteArray password = m_config.secretAccessKey.toUtf8();
    curl_easy_setopt(m_easy, CURLOPT_URL, url.constData()); // libcurl copies string options
    curl_easy_setopt(m_easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(m_easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_easy, CURLOPT_AWS_SIGV4, sigv4.constData());
    curl_easy_setopt(m_easy, CURLOPT_USERNAME, user.constData());
    curl_easy_setopt(m_easy, CURLOPT_PASSWORD, password.constData());
    curl_easy_setopt(m_easy, CURLOPT_CONNECTTIMEOUT, long(m_config.connectTimeoutSeconds));
    curl_easy_setopt(m_easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(m_easy, CURLOPT_LOW_SPEED_TIME, long(m_config.lowSpeedTimeSeconds));
    if (m_config.requestTimeoutSeconds > 0)
        curl_easy_setopt(m_easy, CURLOPT_TIMEOUT, long(m_config.requestTimeoutSeconds));
    curl_easy_setopt(m_easy, CURLOPT_ERRORBUFFER, m_curlError);
    curl_easy_setopt(m_easy, CURLOPT_WRITEFUNCTION, &S3Transfer::writeCallback);
    curl_easy_setopt(m_easy, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(m_easy, CURLOPT_HEADERFUNCTION, &S3Transfer::headerCallback);
    curl_easy_setopt(m_easy, CURLOPT_HEADERDATA, this);
    // A proxy from the environment is never used for a server on this machine.
    if (isLoopbackHost(m_url))
        curl_easy_setopt(m_easy, CURLOPT_PROXY, "");

    // libcurl 7.88 signs with the payload hash given in this header and does not add the
    // header itself, which S3 requires.
    m_headers = curl_slist_append(
        m_headers, (QByteArrayLiteral("x-amz-content-sha256: ") + emptyPayloadHash).constData());
    if (!m_config.sessionToken.isEmpty()) {
        m_headers = curl_slist_append(
            m_headers,
            (QByteArrayLiteral("x-amz-security-token: ") + m_config.sessionToken.toUtf8()).constData());
    }
    curl_easy_setopt(m_easy, CURLOPT_HTTPHEADER, m_headers);
    curl_multi_add_handle(m_multi, m_easy);

    while (!m_headersDone && !m_done) {
        if (!pump(true))
            break;
    }
    if (!m_failed && m_httpStatus / 100 != 2) {
        // Let the (small) error body arrive, then describe it.
        while (!m_done && pump(false)) { }
        describeHttpError();
    }
    return !m_failed;
}

qint64 S3Transfer::read(char *data, qint64 maxSize)
{
    if (!m_started && !start())
        return -1;
    while (m_bufferOffset >= m_buffer.size()) {
        m_buffer.clear();
        m_bufferOffset = 0;
        if (m_failed)
            return -1;
        if (m_done)
            return 0;
        if (!pump(false))
            return -1;
    }
    const qint64 count = qMin<qint64>(maxSize, m_buffer.size() - m_bufferOffset);
    std::memcpy(data, m_buffer.constData() + m_bufferOffset, size_t(count));
    m_bufferOffset += count;
    return count;
}

bool S3Transfer::readAll(QByteArray *body, qint64 maxSize)
{
    body->clear();
    char chunk[64 * 1024];
    for (;;) {
        const qint64 count = read(chunk, sizeof chunk);
        if (count < 0)
            return false;
        if (count == 0)
            return true;
        if (body->size() + count > maxSize) {
            m_failed = true;
            m_error = trTransfer("the response from %1 exceeds %2 bytes").arg(m_url).arg(maxSize);
            return false;
        }
        body->append(chunk, count);
    }
}

size_t S3Transfer::writeCallback(char *data, size_t size, size_t count, void *self)
{
    return static_cast<S3Transfer *>(self)->receiveBody(data, size * count);
}

size_t S3Transfer::headerCallback(char *data, size_t size, size_t count, void *self)
{
    return static_cast<S3Transfer *>(self)->receiveHeader(data, size * count);
}

size_t S3Transfer::receiveBody(const char *data, size_t size)
{
    if (m_httpStatus / 100 != 2) {
        const qsizetype room = maxErrorBodyBytes - m_errorBody.size();
        m_errorBody.append(data, qMin<qsizetype>(room, qsizetype(size)));
        return size;
    }
    // Bytes already handed out are dropped before the buffer grows.
    if (m_bufferOffset > 0) {
        m_buffer.remove(0, m_bufferOffset);
        m_bufferOffset = 0;
    }
    if (m_buffer.size() >= maxBufferedBytes) {
        m_paused = true;
        return CURL_WRITEFUNC_PAUSE; // libcurl delivers the same bytes again after unpausing
    }
    m_buffer.append(data, qsizetype(size));
    return size;
}

size_t S3Transfer::receiveHeader(const char *data, size_t size)
{
    const QByteArray line = QByteArray(data, qsizetype(size)).trimmed();
    if (line.startsWith("HTTP/")) {
        long status = 0;
        curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
        m_httpStatus = int(status);
        m_contentLength = -1;
    } else if (line.isEmpty() && m_httpStatus >= 200) {
        m_headersDone = true; // the end of a final (not 1xx) response's headers
    } else if (line.toLower().startsWith("content-length:")) {
        bool ok = false;
        const qint64 length = line.mid(int(std::strlen("content-length:"))).trimmed().toLongLong(&ok);
        if (ok)
            m_contentLength = length;
    }
    return size;
}

bool S3Transfer::pump(bool untilHeaders)
{
    if (m_paused) {
        m_paused = false;
        curl_easy_pause(m_easy, CURLPAUSE_CONT);
    }
    const qsizetype buffered = m_buffer.size() - m_bufferOffset;
    while (!m_done) {
        int running = 0;
        const CURLMcode code = curl_multi_perform(m_multi, &running);
        if (code != CURLM_OK) {
            m_failed = true;
            m_error = trTransfer("libcurl failed on %1: %2")
                          .arg(m_url, QString::fromUtf8(curl_multi_strerror(code)));
            return false;
        }
        int queued = 0;
        while (CURLMsg *message = curl_multi_info_read(m_multi, &queued)) {
            if (message->msg == CURLMSG_DONE)
                finishTransfer(int(message->data.result));
        }
        if (m_done || (untilHeaders && m_headersDone) || m_buffer.size() - m_bufferOffset > buffered
            || m_paused)
            break;
        curl_multi_poll(m_multi, nullptr, 0, pollIntervalMs, nullptr);
    }
    return !m_failed;
}

void S3Transfer::finishTransfer(int curlCode)
{
    m_done = true;
    if (curlCode == CURLE_OK)
        return;
    m_failed = true;
    const QString detail = m_curlError[0] != 0
        ? QString::fromUtf8(m_curlError)
        : QString::fromUtf8(curl_easy_strerror(CURLcode(curlCode)));
    switch (curlCode) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
        m_error = trTransfer("cannot connect to the S3 endpoint %1: %2")
                      .arg(m_config.endpointName(), detail);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        m_error = trTransfer("the S3 request timed out: %1").arg(detail);
        break;
    default:
        m_error = trTransfer("the S3 request failed: %1").arg(detail);
        break;
    }
}

void S3Transfer::describeHttpError()
{
    m_failed = true;
    // S3 error bodies: <Error><Code>NoSuchKey</Code><Message>...</Message>...</Error>
    QString message;
    QXmlStreamReader xml(m_errorBody);
    while (!xml.atEnd() && !xml.hasError()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("Code"))
            m_s3ErrorCode = xml.readElementText();
        else if (xml.name() == QLatin1String("Message"))
            message = xml.readElementText();
    }
    if (m_s3ErrorCode.isEmpty())
        m_error = trTransfer("S3 returned HTTP %1").arg(m_httpStatus);
    else if (message.isEmpty())
        m_error = trTransfer("S3 returned HTTP %1 %2").arg(m_httpStatus).arg(m_s3ErrorCode);
    else
        m_error = trTransfer("S3 returned HTTP %1 %2: %3").arg(m_httpStatus).arg(m_s3ErrorCode, message);
}

} // namespace Accrete
