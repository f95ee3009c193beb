#include "scriptedhttpserver.h"

#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

namespace Accrete::TestSupport {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    default: return "Status";
    }
}

QByteArray headerParameter(const QByteArray &header, const QByteArray &parameter)
{
    const QList<QByteArray> pieces = header.split(';');
    for (const QByteArray &piece : pieces) {
        const QByteArray trimmed = piece.trimmed();
        if (!trimmed.startsWith(parameter + '='))
            continue;
        QByteArray value = trimmed.mid(parameter.size() + 1);
        if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
            value = value.mid(1, value.size() - 2);
        return value;
    }
    return {};
}

} // namespace

QList<RecordedPart> RecordedRequest::parts() const
{
    const QByteArray boundary = headerParameter(header("content-type"), "boundary");
    if (boundary.isEmpty())
        return {};
    const QByteArray delimiter = "--" + boundary;
    QList<RecordedPart> result;
    qsizetype position = body.indexOf(delimiter);
    while (position >= 0) {
        position += delimiter.size();
        if (body.mid(position, 2) == "--")
            break; // closing delimiter
        position += 2; // CRLF after the delimiter
        const qsizetype headersEnd = body.indexOf("\r\n\r\n", position);
        const qsizetype next = body.indexOf("\r\n" + delimiter, position);
        if (headersEnd < 0 || next < 0)
            break;
        RecordedPart part;
        const QList<QByteArray> lines = body.mid(position, headersEnd - position).split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-disposition") {
                part.name = headerParameter(value, "name");
                part.fileName = headerParameter(value, "filename");
            } else if (name == "content-type") {
                part.contentType = value;
            }
        }
        part.body = body.mid(headersEnd + 4, next - headersEnd - 4);
        result.append(part);
        position = next + 2;
    }
    return result;
}

QList<RecordedPart> RecordedRequest::parts(const QByteArray &name) const
{
    QList<RecordedPart> matching;
    const QList<RecordedPart> all = parts();
    for (const RecordedPart &part : all) {
        if (part.name == name)
            matching.append(part);
    }
    return matching;
}

CannedResponse CannedResponse::json(int status, const QJsonDocument &document)
{
    CannedResponse response;
    response.status = status;
    response.body = document.toJson(QJsonDocument::Compact);
    return response;
}

CannedResponse CannedResponse::detail(int status, const QString &detail)
{
    return json(status, QJsonDocument(QJsonObject{ { QStringLiteral("detail"), detail } }));
}

CannedResponse CannedResponse::empty(int status)
{
    CannedResponse response;
    response.status = status;
    return response;
}

CannedResponse CannedResponse::stall()
{
    CannedResponse response;
    response.behaviour = Behaviour::Stall;
    return response;
}

CannedResponse CannedResponse::stopReadingAfter(qint64 bytes)
{
    CannedResponse response;
    response.behaviour = Behaviour::StopReading;
    response.stopReadingAfterBytes = bytes;
    return response;
}

CannedResponse CannedResponse::throttled(int status, qint64 bytesPerTick)
{
    CannedResponse response = empty(status);
    response.throttleBytesPerTick = bytesPerTick;
    return response;
}

ScriptedHttpServer::ScriptedHttpServer(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &ScriptedHttpServer::acceptConnections);
}

bool ScriptedHttpServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl ScriptedHttpServer::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_server.serverPort());
    return url;
}

void ScriptedHttpServer::enqueue(const CannedResponse &response)
{
    m_queue.enqueue(response);
}

void ScriptedHttpServer::acceptConnections()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connections;
        socket->setParent(this);
        m_open.insert(socket, Connection{});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_open.remove(socket);
            socket->deleteLater();
        });
        readFrom(socket);
    }
}

bool ScriptedHttpServer::parseHeaders(Connection &connection)
{
    const qsizetype end = connection.headerBuffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QByteArray head = connection.headerBuffer.left(end);
    const QByteArray rest = connection.headerBuffer.mid(end + 4);
    connection.headerBuffer.clear();

    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    RecordedRequest &request = connection.request;
    request.method = requestLine.value(0);
    const QUrl target(QString::fromLatin1(requestLine.value(1)));
    request.path = target.path();
    request.query = QUrlQuery(target.query());
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            request.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
    }
    connection.contentLength = request.header("content-length").toLongLong();
    connection.headersDone = true;
    connection.response = m_queue.isEmpty() ? m_fallback : m_queue.dequeue();

    request.bodySize = rest.size();
    request.body = rest.left(m_maxRecordedBodyBytes);
    return true;
}

void ScriptedHttpServer::readFrom(QTcpSocket *socket)
{
    auto it = m_open.find(socket);
    if (it == m_open.end() || it->paused || it->waitingForTick)
        return;
    Connection &connection = *it;

    if (!connection.headersDone) {
        connection.headerBuffer += socket->readAll();
        if (!parseHeaders(connection))
            return;
    }

    const CannedResponse &response = *connection.response;
    if (response.behaviour == CannedResponse::Behaviour::StopReading
        && connection.request.bodySize >= response.stopReadingAfterBytes) {
        // Leaving the data unread fills the socket buffers, so the client's upload stalls.
        connection.paused = true;
        socket->setReadBufferSize(64 * 1024);
        Q_EMIT readingStopped();
        return;
    }

    const qint64 throttle = response.throttleBytesPerTick;
    if (throttle > 0)
        socket->setReadBufferSize(throttle);
    qint64 readThisTick = 0;
    while (socket->bytesAvailable() > 0 && (throttle <= 0 || readThisTick < throttle)) {
        const QByteArray chunk = socket->read(throttle > 0 ? throttle - readThisTick : 1024 * 1024);
        readThisTick += chunk.size();
        const qint64 room = m_maxRecordedBodyBytes - connection.request.body.size();
        if (room > 0)
            connection.request.body += chunk.left(room);
        connection.request.bodySize += chunk.size();
        if (response.behaviour == CannedResponse::Behaviour::StopReading
            && connection.request.bodySize >= response.stopReadingAfterBytes) {
            connection.paused = true;
            socket->setReadBufferSize(64 * 1024);
            Q_EMIT readingStopped();
            return;
        }
    }

    if (throttle > 0 && readThisTick > 0 && connection.request.bodySize < connection.contentLength) {
        // Data that arrives before the next tick stays in the socket until then.
        connection.waitingForTick = true;
        QTimer::singleShot(20, this, [this, socket] {
            auto open = m_open.find(socket);
            if (open == m_open.end())
                return;
            open->waitingForTick = false;
            readFrom(socket);
        });
        return;
    }

    if (connection.request.bodySize >= connection.contentLength)
        finishRequest(socket, connection);
}

void ScriptedHttpServer::finishRequest(QTcpSocket *socket, Connection &connection)
{
    if (connection.request.method.isEmpty())
        return;
    m_requests.append(connection.request);
    const CannedResponse response = *connection.response;
    const QString path = connection.request.path;
    connection.request = RecordedRequest{};
    Q_EMIT requestReceived(path);

    if (response.behaviour != CannedResponse::Behaviour::Respond)
        return;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' '
        + reasonPhrase(response.status) + "\r\n";
    if (!response.body.isEmpty())
        head += "Content-Type: " + response.contentType + "\r\n";
    head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    head += "Connection: close\r\n\r\n";
    socket->write(head + response.body);
    socket->disconnectFromHost();
}

} // namespace Accrete::TestSupport
