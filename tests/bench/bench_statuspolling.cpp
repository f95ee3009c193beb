// Status-polling benchmark: several clients poll `GET /api/v1/dataset/{id}` of a real
// `accrete-cli serve` process on 127.0.0.1 at a fixed rate, while a batch of photos is added
// and the dataset is reindexed. Prints latency percentiles, throughput and errors per phase.
// It measures and asserts nothing about speed: the exit code is 0 unless the set-up fails.
//
// Bounded: polling stops after --duration seconds or --max-requests requests, whichever
// comes first, and a watchdog ends the run 60 seconds after that.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrlQuery>

#include "apitestclient.h"
#include "testsupport.h"

using namespace Accrete;

namespace {

const QString apiKey = QStringLiteral("bench-key");
const QByteArray apiSecret = QByteArrayLiteral("bench-secret-0f1e2d3c4b5a69788796");

// Phases of the run, in order. A sample belongs to the phase in which its request was sent.
enum Phase { Idle, Adding, Reindexing, Settled, PhaseCount };

const char *phaseName(int phase)
{
    switch (phase) {
    case Idle:
        return "idle (READY)";
    case Adding:
        return "add_media running";
    case Reindexing:
        return "reindex running";
    case Settled:
        return "after reindex (READY)";
    default:
        return "all";
    }
}

struct Sample
{
    int phase = Idle;
    double latencyMs = 0;
    bool ok = false;
};

struct Settings
{
    int clients = 8;
    int ratePerClient = 20; // requests per second per client
    int durationSeconds = 20;
    int maxRequests = 8000;
    int batchSize = 40;
    int variants = 320; // generated photo variants added with the batch, to lengthen it
    int addAfterMs = 3000; // idle polling before the batch is added
    QString cliPath;
};

double percentile(std::vector<double> sorted, double fraction)
{
    if (sorted.empty())
        return 0;
    std::sort(sorted.begin(), sorted.end());
    // Nearest-rank percentile.
    const size_t rank = size_t(std::max(1.0, std::ceil(fraction * double(sorted.size()))));
    return sorted[std::min(rank, sorted.size()) - 1];
}

class StatusPollingBench final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusPollingBench)

public:
    explicit StatusPollingBench(Settings settings, QObject *parent = nullptr)
        : QObject(parent)
        , m_settings(std::move(settings))
    {
    }

    // Starts the server, creates the dataset and polls. Returns the exit code.
    int run();

private:
    bool startServer();
    bool createDataset();
    QNetworkRequest makeRequest(const QString &pathAndQuery) const;
    ApiTestClient::HttpResult sendAndWait(const QByteArray &verb, const QString &pathAndQuery);
    void poll(size_t client);
    void advancePhase(const QString &status);
    void report(qint64 elapsedMs) const;
    void stopServer();

    Settings m_settings;
    QTemporaryDir m_dir;
    QProcess m_server;
    quint16 m_port = 0;
    QByteArray m_token;
    QString m_datasetId;
    QNetworkAccessManager m_control;

    std::vector<std::unique_ptr<QNetworkAccessManager>> m_clients;
    std::vector<bool> m_busy;
    std::vector<Sample> m_samples;
    int m_sent = 0;
    int m_skippedTicks = 0; // ticks that found the client's previous request still open
    int m_phase = Idle;
    bool m_stopped = false;
    QElapsedTimer m_clock;
    qint64 m_phaseStartMs[PhaseCount] = {};
};

QNetworkRequest StatusPollingBench::makeRequest(const QString &pathAndQuery) const
{
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery)));
    request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setTransferTimeout(30'000);
    // The POSTs of this benchmark carry no body, and Qt warns about a POST without a type.
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    return request;
}

ApiTestClient::HttpResult StatusPollingBench::sendAndWait(const QByteArray &verb, const QString &pathAndQuery)
{
    QNetworkReply *reply = m_control.sendCustomRequest(makeRequest(pathAndQuery), verb);
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const ApiTestClient::HttpResult result = ApiTestClient::resultOf(reply);
    reply->deleteLater();
    return result;
}

bool StatusPollingBench::startServer()
{
    const QString secretFile = m_dir.filePath(QStringLiteral("api-secret"));
    QFile secret(secretFile);
    if (!secret.open(QIODevice::WriteOnly) || secret.write(apiSecret) != apiSecret.size())
        return false;
    secret.close();

    // The --allow-root folder must exist before the server starts.
    if (TestSupport::copyPhotos(m_dir.filePath(QStringLiteral("photos/initial")), 4, 0).size() != 4
        || TestSupport::copyPhotos(m_dir.filePath(QStringLiteral("photos/batch")), m_settings.batchSize, 4).size()
            != m_settings.batchSize
        || ApiTestClient::writePhotoVariants(m_dir.filePath(QStringLiteral("photos/batch")), m_settings.variants)
            != m_settings.variants) {
        std::fprintf(stderr, "Install the opencv-doc package: the benchmark adds its example photos.\n");
        return false;
    }

    m_server.setProgram(m_settings.cliPath);
    m_server.setArguments({ QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("serve"),
                            QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--api-key"),
                            apiKey, QStringLiteral("--api-secret-file"), secretFile, QStringLiteral("--allow-root"),
                            m_dir.filePath(QStringLiteral("photos")) });
    // The server logs one line per request, so its stderr goes to a file, not a pipe.
    m_server.setStandardErrorFile(m_dir.filePath(QStringLiteral("serve-stderr.log")));
    m_server.start();
    if (!m_server.waitForStarted(30'000))
        return false;

    static const QRegularExpression listening(QStringLiteral("Listening on http://127\\.0\\.0\\.1:(\\d+)"));
    QString output;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 60'000 && m_server.state() == QProcess::Running) {
        m_server.waitForReadyRead(1000);
        output += QString::fromUtf8(m_server.readAllStandardOutput());
        const QRegularExpressionMatch match = listening.match(output);
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            return m_port != 0;
        }
    }
    std::fprintf(stderr, "accrete-cli serve did not report its port (exit code %d); see %s\n", m_server.exitCode(),
                 qPrintable(m_dir.filePath(QStringLiteral("serve-stderr.log"))));
    m_dir.setAutoRemove(false);
    return false;
}

bool StatusPollingBench::createDataset()
{
    const QString initial = m_dir.filePath(QStringLiteral("photos/initial"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("path"), QFileInfo(initial).canonicalFilePath());
    query.addQueryItem(QStringLiteral("name"), QStringLiteral("bench"));
    const ApiTestClient::HttpResult created =
        sendAndWait("POST", QStringLiteral("/api/v1/process?") + query.toString(QUrl::FullyEncoded));
    m_datasetId = QJsonDocument::fromJson(created.body).object().value(QStringLiteral("dataset_id")).toString();
    if (created.status != 200 || m_datasetId.isEmpty()) {
        std::fprintf(stderr, "Creating the dataset failed with HTTP %d: %s\n", created.status, created.body.constData());
        return false;
    }

    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 180'000) {
        const ApiTestClient::HttpResult dataset = sendAndWait("GET", QStringLiteral("/api/v1/dataset/") + m_datasetId);
        if (QJsonDocument::fromJson(dataset.body).object().value(QStringLiteral("status_new")).toString()
            == QLatin1String("READY")) {
            return true;
        }
        QEventLoop pause;
        QTimer::singleShot(250, &pause, &QEventLoop::quit);
        pause.exec();
    }
    std::fprintf(stderr, "The dataset did not reach READY within 180 s.\n");
    return false;
}

void StatusPollingBench::poll(size_t client)
{
    if (m_stopped)
        return;
    if (m_busy[client]) {
        ++m_skippedTicks;
        return;
    }
    m_busy[client] = true;
    ++m_sent;
    const int phase = m_phase;
    const qint64 sentAtNs = m_clock.nsecsElapsed();
    QNetworkReply *reply =
        m_clients[client]->get(makeRequest(QStringLiteral("/api/v1/dataset/") + m_datasetId));
    connect(reply, &QNetworkReply::finished, this, [this, reply, client, phase, sentAtNs]() {
        Sample sample;
        sample.phase = phase;
        sample.latencyMs = double(m_clock.nsecsElapsed() - sentAtNs) / 1e6;
        const ApiTestClient::HttpResult result = ApiTestClient::resultOf(reply);
        sample.ok = result.status == 200;
        m_samples.push_back(sample);
        m_busy[client] = false;
        reply->deleteLater();
        if (sample.ok)
            advancePhase(QJsonDocument::fromJson(result.body).object().value(QStringLiteral("status_new")).toString());
    });
}

void StatusPollingBench::advancePhase(const QString &status)
{
    // The pollers' own responses drive the run: reindex once the batch is stored.
    if (m_phase == Adding && status == QLatin1String("PARTIAL INDEX")) {
        m_phase = Reindexing;
        m_phaseStartMs[Reindexing] = m_clock.elapsed();
        QNetworkReply *reply =
            m_control.post(makeRequest(QStringLiteral("/api/v1/dataset/%1/reindex").arg(m_datasetId)), QByteArray());
        connect(reply, &QNetworkReply::finished, this, [reply]() {
            const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            std::printf("reindex request: HTTP %d\n", code);
            reply->deleteLater();
        });
    } else if (m_phase == Reindexing && status == QLatin1String("READY")) {
        m_phase = Settled;
        m_phaseStartMs[Settled] = m_clock.elapsed();
    }
}

void StatusPollingBench::report(qint64 elapsedMs) const
{
    std::printf("\nclients %d, target rate %d req/s per client, batch %d photos + %d variants, duration %.1f s, "
                "requests sent %d, ticks skipped while a request was open %d\n",
                m_settings.clients, m_settings.ratePerClient, m_settings.batchSize, m_settings.variants,
                double(elapsedMs) / 1000.0, m_sent, m_skippedTicks);
    for (int phase = Idle; phase < PhaseCount; ++phase) {
        if (phase != Idle && m_phaseStartMs[phase] == 0)
            std::printf("phase %-22s not reached\n", phaseName(phase));
        else
            std::printf("phase %-22s starts at %6.1f s\n", phaseName(phase), double(m_phaseStartMs[phase]) / 1000.0);
    }
    std::printf("\n%-22s %7s %7s %8s %8s %8s %8s %8s\n", "phase", "ok", "errors", "p50 ms", "p90 ms", "p99 ms",
                "max ms", "req/s");
    for (int phase = Idle; phase <= PhaseCount; ++phase) {
        std::vector<double> latencies;
        int errors = 0;
        for (const Sample &sample : m_samples) {
            if (phase != PhaseCount && sample.phase != phase)
                continue;
            if (sample.ok)
                latencies.push_back(sample.latencyMs);
            else
                ++errors;
        }
        // A phase lasts until the next reached phase starts, the last one until polling ends.
        qint64 endMs = elapsedMs;
        for (int next = phase + 1; next < PhaseCount; ++next) {
            if (m_phaseStartMs[next] != 0) {
                endMs = m_phaseStartMs[next];
                break;
            }
        }
        const qint64 startMs = phase == PhaseCount ? 0 : m_phaseStartMs[phase];
        const double seconds = double(std::max<qint64>(1, (phase == PhaseCount ? elapsedMs : endMs) - startMs)) / 1000.0;
        if (latencies.empty() && errors == 0)
            continue;
        std::printf("%-22s %7zu %7d %8.2f %8.2f %8.2f %8.2f %8.1f\n", phaseName(phase), latencies.size(), errors,
                    percentile(latencies, 0.50), percentile(latencies, 0.90), percentile(latencies, 0.99),
                    latencies.empty() ? 0.0 : *std::max_element(latencies.begin(), latencies.end()),
                    double(latencies.size() + size_t(errors)) / seconds);
    }
    std::fflush(stdout);
}

void StatusPollingBench::stopServer()
{
    if (m_server.state() == QProcess::NotRunning)
        return;
    m_server.terminate();
    if (!m_server.waitForFinished(30'000)) {
        m_server.kill();
        m_server.waitForFinished(10'000);
    }
}

int StatusPollingBench::run()
{
    m_token = ApiTestClient::makeToken({ apiKey, apiSecret, 3600 });
    if (m_token.isEmpty() || !m_dir.isValid() || !startServer() || !createDataset()) {
        stopServer();
        return 1;
    }
    std::printf("accrete-cli serve on 127.0.0.1:%d, dataset %s READY with 4 photos\n", m_port, qPrintable(m_datasetId));

    m_clock.start();
    m_busy.assign(size_t(m_settings.clients), false);
    std::vector<std::unique_ptr<QTimer>> timers;
    for (int i = 0; i < m_settings.clients; ++i) {
        m_clients.push_back(std::make_unique<QNetworkAccessManager>());
        auto timer = std::make_unique<QTimer>();
        timer->setTimerType(Qt::PreciseTimer);
        timer->setInterval(1000 / std::max(1, m_settings.ratePerClient));
        const size_t client = size_t(i);
        connect(timer.get(), &QTimer::timeout, this, [this, client]() {
            if (m_sent >= m_settings.maxRequests)
                m_stopped = true;
            poll(client);
        });
        // Spread the clients' ticks over one interval.
        QTimer::singleShot(i * timer->interval() / m_settings.clients, timer.get(), qOverload<>(&QTimer::start));
        timers.push_back(std::move(timer));
    }

    QTimer::singleShot(m_settings.addAfterMs, this, [this]() {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("dataset_id"), m_datasetId);
        query.addQueryItem(QStringLiteral("path"), QFileInfo(m_dir.filePath(QStringLiteral("photos/batch"))).canonicalFilePath());
        m_phase = Adding;
        m_phaseStartMs[Adding] = m_clock.elapsed();
        QNetworkReply *reply = m_control.post(
            makeRequest(QStringLiteral("/api/v1/process/add_media?") + query.toString(QUrl::FullyEncoded)), QByteArray());
        connect(reply, &QNetworkReply::finished, this, [reply]() {
            const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            std::printf("add_media request (path form): HTTP %d\n", code);
            reply->deleteLater();
        });
    });

    // Polling ends at the duration or the request cap, and the run ends once no request is
    // open. The watchdog ends it 60 s after the duration even if requests are still open.
    QEventLoop loop;
    QTimer stopTimer;
    stopTimer.setSingleShot(true);
    connect(&stopTimer, &QTimer::timeout, this, [this]() { m_stopped = true; });
    stopTimer.start(m_settings.durationSeconds * 1000);
    QTimer check;
    connect(&check, &QTimer::timeout, this, [this, &loop]() {
        if (m_stopped && std::none_of(m_busy.begin(), m_busy.end(), [](bool busy) { return busy; }))
            loop.quit();
    });
    check.start(50);
    QTimer watchdog;
    watchdog.setSingleShot(true);
    connect(&watchdog, &QTimer::timeout, &loop, &QEventLoop::quit);
    watchdog.start(m_settings.durationSeconds * 1000 + 60'000);
    loop.exec();
    const qint64 elapsedMs = m_clock.elapsed();
    timers.clear();

    report(elapsedMs);
    stopServer();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_statuspolling"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Polls GET /api/v1/dataset/{id} of an accrete-cli serve process on 127.0.0.1 from several "
        "clients while a batch is added and the dataset is reindexed, and prints latency percentiles."));
    parser.addHelpOption();
    const QCommandLineOption clientsOption(QStringLiteral("clients"), QStringLiteral("Polling clients, 1-64 (default 8)."),
                                           QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
                                        QStringLiteral("Requests per second per client, 1-200 (default 20)."),
                                        QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption durationOption(QStringLiteral("duration"),
                                            QStringLiteral("Seconds of polling, 5-300 (default 20)."), QStringLiteral("S"),
                                            QStringLiteral("20"));
    const QCommandLineOption maxRequestsOption(QStringLiteral("max-requests"),
                                               QStringLiteral("Requests after which polling stops (default 8000)."),
                                               QStringLiteral("N"), QStringLiteral("8000"));
    const QCommandLineOption batchOption(QStringLiteral("batch-size"),
                                         QStringLiteral("Photos in the added batch, 1-80 (default 40)."),
                                         QStringLiteral("N"), QStringLiteral("40"));
    const QCommandLineOption variantsOption(
        QStringLiteral("variants"),
        QStringLiteral("Generated 640x480 photo variants added with the batch, 0-1000 (default 320)."),
        QStringLiteral("N"), QStringLiteral("320"));
    const QCommandLineOption cliOption(QStringLiteral("cli"), QStringLiteral("Path of accrete-cli."),
                                       QStringLiteral("PATH"), QStringLiteral(ACCRETE_CLI_PATH));
    parser.addOptions(
        { clientsOption, rateOption, durationOption, maxRequestsOption, batchOption, variantsOption, cliOption });
    parser.process(app);

    Settings settings;
    settings.clients = std::clamp(parser.value(clientsOption).toInt(), 1, 64);
    settings.ratePerClient = std::clamp(parser.value(rateOption).toInt(), 1, 200);
    settings.durationSeconds = std::clamp(parser.value(durationOption).toInt(), 5, 300);
    settings.maxRequests = std::clamp(parser.value(maxRequestsOption).toInt(), 1, 100'000);
    settings.batchSize = std::clamp(parser.value(batchOption).toInt(), 1, 80);
    settings.variants = std::clamp(parser.value(variantsOption).toInt(), 0, 1000);
    settings.cliPath = parser.value(cliOption);

    StatusPollingBench bench(settings);
    return bench.run();
}

#include "bench_statuspolling.moc"
