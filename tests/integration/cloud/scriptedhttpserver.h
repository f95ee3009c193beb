#pragma once

#include <optional>

#include <QByteArray>
#include <QHash>
#include <QJsonDocument>
#include <QList>
#include <QObject>
#include <QQueue>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

class QTcpSocket;

namespace Accrete::TestSupport {

// One part of a multipart/form-data body.
struct RecordedPart
{
    QByteArray name;
    QByteArray fileName; // empty for plain fields
    QByteArray contentType;
    QByteArray body;
};

// A request as the scripted server received it.
struct RecordedRequest
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;     // the first ScriptedHttpServer::setMaxRecordedBodyBytes() bytes
    qint64 bodySize = 0; // the full size, counted even when the body was not kept

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    // Splits a multipart/form-data body at the boundary named in Content-Type.
    QList<RecordedPart> parts() const;
    QList<RecordedPart> parts(const QByteArray &name) const;
};

// What the server sends back for one request.
struct CannedResponse
{
    enum class Behaviour {
        Respond, // send the status and body once the request body has arrived
        Stall,   // read the request and never respond
        StopReading, // stop reading the request body after `stopReadingAfterBytes` and never respond
    };

    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";
    Behaviour behaviour = Behaviour::Respond;
    qint64 stopReadingAfterBytes = 0;
    // When above 0, the request body is read at most this many bytes per 20 ms tick.
    qint64 throttleBytesPerTick = 0;

    static CannedResponse json(int status, const QJsonDocument &document);
    static CannedResponse detail(int status, const QString &detail);
    static CannedResponse empty(int status);
    static CannedResponse stall();
    static CannedResponse stopReadingAfter(qint64 bytes);
    static CannedResponse throttled(int status, qint64 bytesPerTick);
};

// A minimal HTTP/1.1 server on 127.0.0.1 for client tests. It responds to each request with the
// next queued CannedResponse (or the fallback when the queue is empty), closes the
// connection after responding, and records every request. Lives in the test's thread.
class ScriptedHttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScriptedHttpServer)

public:
    explicit ScriptedHttpServer(QObject *parent = nullptr);

    bool listen();
    QUrl url() const;

    void enqueue(const CannedResponse &response);
    void setFallback(const CannedResponse &response) { m_fallback = response; }
    qsizetype pendingResponses() const { return m_queue.size(); }

    // Request bodies are kept up to this size and only counted beyond it. Default 64 MiB.
    void setMaxRecordedBodyBytes(qint64 bytes) { m_maxRecordedBodyBytes = bytes; }

    const QList<RecordedRequest> &requests() const { return m_requests; }
    qsizetype connectionsSeen() const { return m_connections; }

Q_SIGNALS:
    void requestReceived(const QString &path);
    // The server stopped reading a request body as a StopReading response asked.
    void readingStopped();

private:
    struct Connection
    {
        QByteArray headerBuffer;
        bool headersDone = false;
        RecordedRequest request;
        qint64 contentLength = 0;
        std::optional<CannedResponse> response;
        bool paused = false;
        bool waitingForTick = false;
    };

    void acceptConnections();
    void readFrom(QTcpSocket *socket);
    bool parseHeaders(Connection &connection);
    void finishRequest(QTcpSocket *socket, Connection &connection);

    QTcpServer m_server;
    QQueue<CannedResponse> m_queue;
    CannedResponse m_fallback = CannedResponse::detail(404, QStringLiteral("Not Found"));
    QList<RecordedRequest> m_requests;
    QHash<QTcpSocket *, Connection> m_open;
    qsizetype m_connections = 0;
    qint64 m_maxRecordedBodyBytes = 64 * 1024 * 1024;
};

} // namespace Accrete::TestSupport
