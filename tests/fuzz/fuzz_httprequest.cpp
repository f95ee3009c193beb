// libFuzzer target: sends an arbitrary byte string as one HTTP request to a real ApiServer
// (`accrete-cli serve`'s server) on 127.0.0.1, over an embedded dataset created at start-up,
// and reads the response. It exercises request parsing, multipart uploads, query parameters,
// the handlers and the bearer-token check. The server must neither crash nor hang.
//
// The text DATASET_ID in an input is replaced with the id of the dataset, so that the
// corpus reaches the handlers of an existing dataset.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <QByteArray>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include "fuzzsupport.h"
#include "pipeline/embeddedservice.h"
#include "server/apiserver.h"
#include "server/jwtverifier.h"

namespace {

struct Harness
{
    QTemporaryDir root;
    QThread serviceThread;
    QObject *context = nullptr;
    Accrete::EmbeddedService *service = nullptr;
    Accrete::ApiServer *server = nullptr;
    quint16 port = 0;
    QByteArray datasetId = "00000000-0000-0000-0000-000000000000";
};

Harness *harness = nullptr;

// Sends `request` to the server and returns its response. The write side stays open
// (the HTTP library drops a half-closed connection without a response), so the read ends when
// the server closes the connection or sends nothing for 250 ms.
QByteArray exchange(const QByteArray &request)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return QByteArray();
    timeval sendTimeout{ 2, 0 };
    timeval receiveTimeout{ 0, 250'000 };
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, sizeof sendTimeout);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receiveTimeout, sizeof receiveTimeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(harness->port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QByteArray answer;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0) {
        qint64 sent = 0;
        while (sent < request.size()) {
            const ssize_t n = ::send(fd, request.constData() + sent, size_t(request.size() - sent),
                                     MSG_NOSIGNAL);
            if (n <= 0)
                break;
            sent += n;
        }
        char buffer[8192];
        ssize_t n = 0;
        while (answer.size() < 1024 * 1024 && (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
            answer.append(buffer, int(n));
    }
    ::close(fd);
    return answer;
}

QByteArray get(const QByteArray &target)
{
    return exchange("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

QByteArray body(const QByteArray &answer)
{
    const int start = answer.indexOf("\r\n\r\n");
    return start < 0 ? QByteArray() : answer.mid(start + 4);
}

void startHarness()
{
    // Fuzzed s3_uri values are checked against a closed port on loopback, never against AWS.
    qputenv("ACCRETE_S3_ENDPOINT", "http://127.0.0.1:9");
    Accrete::Fuzz::ensureApplication();
    harness = new Harness;
    const QString dataDir = harness->root.filePath(QStringLiteral("data"));
    const QString photos = harness->root.filePath(QStringLiteral("photos"));
    QDir().mkpath(photos);
    const QString source = QStringLiteral("/usr/share/doc/opencv-doc/examples/data");
    for (const char *name : { "fruits.jpg", "apple.jpg", "baboon.jpg" })
        QFile::copy(source + QLatin1Char('/') + QLatin1String(name),
                    photos + QLatin1Char('/') + QLatin1String(name));

    harness->context = new QObject;
    harness->context->moveToThread(&harness->serviceThread);
    harness->serviceThread.start();
    QMetaObject::invokeMethod(
        harness->context,
        [dataDir, root = harness->root.path()] {
            harness->service = new Accrete::EmbeddedService(dataDir);
            Accrete::ApiServerOptions options;
            options.port = 0;
            options.uploadDir = root + QStringLiteral("/uploads");
            options.maxUploadSize = 8 * 1024 * 1024;
            options.allowedRoots = { root };
            options.authenticationEnabled = false;
            options.serviceTimeoutMs = 10'000;
            harness->server = new Accrete::ApiServer(harness->service, options);
            if (harness->server->listen())
                harness->port = harness->server->port();
        },
        Qt::BlockingQueuedConnection);
    if (harness->port == 0) {
        std::fprintf(stderr, "fuzz_httprequest: the server did not start\n");
        std::abort();
    }

    get("/api/v1/process?name=fuzz&path=" + QUrl::toPercentEncoding(photos));
    for (int attempt = 0; attempt < 600; ++attempt) {
        const QByteArray answer = get("/api/v1/datasets");
        const QJsonArray datasets = QJsonDocument::fromJson(body(answer)).array();
        if (!datasets.isEmpty()) {
            const QJsonObject dataset = datasets.first().toObject();
            harness->datasetId = dataset.value(QStringLiteral("id")).toString().toLatin1();
            if (dataset.value(QStringLiteral("status_new")).toString() == QLatin1String("READY"))
                return;
        }
        QThread::msleep(100);
    }
    std::fprintf(stderr, "fuzz_httprequest: the fuzz dataset did not become READY\n");
    std::abort();
}

} // namespace

// Starting the server and indexing its dataset takes seconds under AddressSanitizer, so it
// happens once, outside the per-input time limit.
extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    startHarness();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray request(reinterpret_cast<const char *>(data), qsizetype(size));
    request.replace("DATASET_ID", harness->datasetId);
    exchange(request);

    // The token check reads the raw Authorization header value.
    static const Accrete::JwtVerifier verifier(QStringLiteral("fuzz-key"), QByteArray("fuzz-secret"));
    verifier.check(request.left(4096), QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC));
    return 0;
}
