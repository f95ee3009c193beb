#include "servecommand.h"

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QTextStream>

#include "apiserver.h"
#include "core/logging.h"
#include "core/metatypes.h"
#ifdef ACCRETE_HAVE_EMBEDDED_SERVICE
#include "pipeline/embeddedservice.h"
#endif

namespace Accrete {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ServeCommand", text);
}

constexpr qint64 defaultMaxUploadSize = qint64(2) * 1024 * 1024 * 1024;

// Forwards SIGINT and SIGTERM to the event loop through a socket pair, because a signal
// handler may only call async-signal-safe functions such as write().
class SignalPipe
{
public:
    SignalPipe()
    {
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_fds) != 0) {
            s_fds[0] = s_fds[1] = -1;
            return;
        }
        struct sigaction action = {};
        action.sa_handler = &SignalPipe::handle;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &action, &m_previousInt);
        ::sigaction(SIGTERM, &action, &m_previousTerm);
        m_installed = true;
    }

    ~SignalPipe()
    {
        if (m_installed) {
            ::sigaction(SIGINT, &m_previousInt, nullptr);
            ::sigaction(SIGTERM, &m_previousTerm, nullptr);
        }
        for (int &fd : s_fds) {
            if (fd >= 0)
                ::close(fd);
            fd = -1;
        }
    }

    SignalPipe(const SignalPipe &) = delete;
    SignalPipe &operator=(const SignalPipe &) = delete;

    int readFd() const { return s_fds[1]; }
    bool isValid() const { return m_installed; }

private:
    static void handle(int signalNumber)
    {
        const char byte = char(signalNumber);
        [[maybe_unused]] const ssize_t written = ::write(s_fds[0], &byte, 1);
    }

    static inline int s_fds[2] = { -1, -1 };
    struct sigaction m_previousInt = {};
    struct sigaction m_previousTerm = {};
    bool m_installed = false;
};

// Splits "HOST:PORT" (or "[IPv6]:PORT"). Returns false for anything else.
bool parseListenAddress(const QString &text, QString &host, quint16 &port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint value = text.mid(colon + 1).toUInt(&ok);
    if (!ok || value > 65535)
        return false;
    port = quint16(value);
    return !QHostAddress(host).isNull();
}

} // namespace

int runServeCommand(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Serves the Visual Layer REST API over the embedded pipeline until SIGINT or SIGTERM."));
    parser.addHelpOption();
    const QCommandLineOption listenOption(
        QStringLiteral("listen"), tr("Address and port to listen on (default 127.0.0.1:2080)."),
        tr("HOST:PORT"), QStringLiteral("127.0.0.1:2080"));
    const QCommandLineOption dataDirOption(
        QStringLiteral("data-dir"), tr("Data directory of the embedded pipeline (default $ACCRETE_DATA_DIR "
                                       "or the application data folder)."),
        tr("DIR"));
    const QCommandLineOption apiKeyOption(
        QStringLiteral("api-key"), tr("API key that tokens must name as 'kid' and 'sub' (default "
                                      "$ACCRETE_API_KEY)."),
        tr("KEY"));
    const QCommandLineOption secretFileOption(
        QStringLiteral("api-secret-file"), tr("File holding the HS256 secret that signs the tokens "
                                              "(default: the secret in $ACCRETE_API_SECRET)."),
        tr("FILE"));
    const QCommandLineOption noAuthOption(
        QStringLiteral("no-auth"), tr("Serve without authentication. Anyone who can reach the port "
                                      "can read and change datasets."));
    const QCommandLineOption allowRootOption(
        QStringLiteral("allow-root"), tr("Folder that the 'path' parameters of /api/v1/process may "
                                         "point into. Repeat for several folders; without it every "
                                         "path request is rejected."),
        tr("DIR"));
    const QCommandLineOption maxUploadOption(
        QStringLiteral("max-upload-size"), tr("Largest request body accepted, in bytes (default %1).")
                                               .arg(defaultMaxUploadSize),
        tr("BYTES"), QString::number(defaultMaxUploadSize));
    parser.addOptions({ listenOption, dataDirOption, apiKeyOption, secretFileOption, noAuthOption,
                        allowRootOption, maxUploadOption });

    if (!parser.parse(arguments)) {
        err << parser.errorText() << Qt::endl;
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        // QCommandLineParser names the executable only, so the usage line gets the command.
        QString help = parser.helpText();
        const qsizetype usageEnd = help.indexOf(QLatin1Char('\n'));
        help.replace(0, usageEnd < 0 ? help.size() : usageEnd,
                     tr("Usage: accrete-cli serve [options]"));
        out << help;
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        err << tr("Unexpected argument '%1'. Run with --help for the options.")
                   .arg(parser.positionalArguments().constFirst())
            << Qt::endl;
        return 2;
    }

    ApiServerOptions options;
    if (!parseListenAddress(parser.value(listenOption), options.host, options.port)) {
        err << tr("Invalid --listen value '%1': expected a numeric address and a port, such as "
                  "127.0.0.1:2080.")
                   .arg(parser.value(listenOption))
            << Qt::endl;
        return 2;
    }

    bool sizeOk = false;
    options.maxUploadSize = parser.value(maxUploadOption).toLongLong(&sizeOk);
    if (!sizeOk || options.maxUploadSize <= 0) {
        err << tr("Invalid --max-upload-size value '%1': expected a positive number of bytes.")
                   .arg(parser.value(maxUploadOption))
            << Qt::endl;
        return 2;
    }

    for (const QString &root : parser.values(allowRootOption)) {
        const QString canonical = QFileInfo(root).canonicalFilePath();
        if (canonical.isEmpty() || !QFileInfo(canonical).isDir()) {
            err << tr("Invalid --allow-root value '%1': the folder does not exist.").arg(root) << Qt::endl;
            return 2;
        }
        options.allowedRoots.append(canonical);
    }

    // Authentication: a key and its secret, or an explicit --no-auth.
    options.authenticationEnabled = !parser.isSet(noAuthOption);
    if (options.authenticationEnabled) {
        options.apiKey = parser.isSet(apiKeyOption) ? parser.value(apiKeyOption)
                                                    : qEnvironmentVariable("ACCRETE_API_KEY");
        if (options.apiKey.isEmpty()) {
            err << tr("No API key configured. Pass --api-key KEY (or set ACCRETE_API_KEY) together with "
                      "--api-secret-file FILE (or ACCRETE_API_SECRET), or pass --no-auth to serve "
                      "without authentication.")
                << Qt::endl;
            return 1;
        }
        if (parser.isSet(secretFileOption)) {
            QFile secretFile(parser.value(secretFileOption));
            if (!secretFile.open(QIODevice::ReadOnly)) {
                err << tr("Could not read the API secret file '%1': %2")
                           .arg(secretFile.fileName(), secretFile.errorString())
                    << Qt::endl;
                return 1;
            }
            options.apiSecret = secretFile.read(64 * 1024).trimmed();
        } else {
            options.apiSecret = qgetenv("ACCRETE_API_SECRET");
        }
        if (options.apiSecret.isEmpty()) {
            err << tr("No API secret configured for key '%1'. Pass --api-secret-file FILE or set "
                      "ACCRETE_API_SECRET.")
                       .arg(options.apiKey)
                << Qt::endl;
            return 1;
        }
    } else if (parser.isSet(apiKeyOption) || !qEnvironmentVariableIsEmpty("ACCRETE_API_KEY")) {
        qCWarning(lcServer) << "--no-auth is set: the configured API key is ignored";
    }

#ifdef ACCRETE_HAVE_EMBEDDED_SERVICE
    registerCoreMetaTypes();
    const QString dataDir =
        parser.isSet(dataDirOption) ? parser.value(dataDirOption) : EmbeddedService::defaultDataDir();
    options.uploadDir = QDir(dataDir).filePath(QStringLiteral(".server-uploads"));

    SignalPipe signalPipe;
    if (!signalPipe.isValid()) {
        err << tr("Could not install the SIGINT and SIGTERM handlers.") << Qt::endl;
        return 1;
    }

    EmbeddedService service(dataDir);
    ApiServer server(&service, options);
    if (!server.listen()) {
        err << server.errorString() << Qt::endl;
        return 1;
    }
    if (!QHostAddress(options.host).isLoopback()) {
        qCWarning(lcServer).noquote() << "Listening on" << options.host
                                      << "makes the API reachable from other machines";
    }
    out << tr("Listening on http://%1:%2 (data directory %3). Stop with Ctrl+C.")
               .arg(options.host)
               .arg(server.port())
               .arg(QDir::toNativeSeparators(dataDir))
        << Qt::endl;

    QSocketNotifier notifier(signalPipe.readFd(), QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, QCoreApplication::instance(), [&notifier]() {
        notifier.setEnabled(false);
        qCInfo(lcServer) << "Received a stop signal; shutting down";
        QCoreApplication::quit();
    });
    QCoreApplication::exec();

    server.close();
    return 0;
#else
    Q_UNUSED(dataDirOption)
    err << tr("This build has no embedded pipeline to serve.") << Qt::endl;
    return 1;
#endif
}

} // namespace Accrete
