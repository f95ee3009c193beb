// The desktop entry point: a main window on the embedded backend, Visual Layer Cloud or a
// server, as chosen on the command line, remembered from the last run or picked with
// File → Connect….

#include <memory>
#include <optional>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QImage>
#include <QListView>
#include <QTimer>

#include "cloud/credentialstore.h"
#include "cloud/remoteconnection.h"
#include "core/logging.h"
#include "core/metatypes.h"
#include "core/serviceerror.h"
#include "pipeline/embeddedservice.h"
#include "ui/connectionsettings.h"
#include "ui/datasetview.h"
#include "ui/mainwindow.h"
#include "ui/mediagridmodel.h"

namespace {

// Saves a picture of `window` to `fileName` once `view` has loaded its dataset and its first
// page and has no thumbnail request left, then quits with 0 (or 1 if saving failed). A server
// without a media listing yields an empty first page, which counts as loaded.
void saveScreenshotWhenLoaded(QWidget *window, Accrete::DatasetView *view, const QString &fileName)
{
    auto *poll = new QTimer(window);
    poll->setInterval(200);
    auto pageLoaded = std::make_shared<bool>(false);
    QObject::connect(view->gridModel(), &Accrete::MediaGridModel::pageLoaded, poll,
                     [pageLoaded] { *pageLoaded = true; });
    QObject::connect(poll, &QTimer::timeout, window, [window, view, fileName, poll, pageLoaded] {
        Accrete::MediaGridModel *model = view->gridModel();
        const bool loaded = view->hasDataset() && (*pageLoaded || model->rowCount() > 0)
            && model->pendingThumbnailCount() == 0;
        if (!loaded)
            return;
        poll->stop();
        const bool saved = window->grab().save(fileName);
        if (!saved)
            qCCritical(lcUi) << "could not write the screenshot to" << fileName;
        QCoreApplication::exit(saved ? 0 : 1);
    });
    poll->start();
}

// Creates the backend of `connection`. It never returns null, because a remote backend
// reports an unreachable server or a missing secret on its first request instead.
std::unique_ptr<Accrete::DatasetService> createService(const Accrete::ConnectionSettings &connection,
                                                       QString *error)
{
    using Kind = Accrete::ConnectionSettings::Kind;
    Q_UNUSED(error)
    if (connection.kind == Kind::Embedded) {
        qCInfo(lcUi) << "starting the embedded backend in" << connection.dataDir;
        return std::make_unique<Accrete::EmbeddedService>(connection.dataDir);
    }
    Accrete::RemoteConnection remote;
    remote.kind = connection.kind == Kind::Cloud ? Accrete::RemoteConnection::Kind::Cloud
                                                 : Accrete::RemoteConnection::Kind::Server;
    remote.baseUrl = connection.url;
    remote.apiKey = connection.apiKey;
    remote.noAuth = connection.noAuth;
    remote.apiSecret = connection.apiSecret;
    qCInfo(lcUi) << "connecting to" << remote.effectiveBaseUrl().toString() << "with API key"
                 << remote.apiKey << (remote.noAuth ? "(no authentication)" : "");
    return Accrete::createRemoteService(remote, nullptr);
}

// The connection given with --connect, --backend, --url, --api-key, --no-auth or --data-dir;
// nullopt when none of them is set. Sets `*error` and returns nullopt on an invalid value.
std::optional<Accrete::ConnectionSettings> connectionFromCommandLine(const QCommandLineParser &parser,
                                                                     QString *error)
{
    using Accrete::ConnectionSettings;
    const auto tr = [](const char *text) { return QCoreApplication::translate("main", text); };
    const bool anySet = parser.isSet(QStringLiteral("connect")) || parser.isSet(QStringLiteral("backend"))
        || parser.isSet(QStringLiteral("url")) || parser.isSet(QStringLiteral("api-key"))
        || parser.isSet(QStringLiteral("no-auth")) || parser.isSet(QStringLiteral("data-dir"));
    if (!anySet)
        return std::nullopt;

    ConnectionSettings connection;
    connection.dataDir = parser.isSet(QStringLiteral("data-dir"))
        ? parser.value(QStringLiteral("data-dir"))
        : Accrete::EmbeddedService::defaultDataDir();
    QString urlText = parser.value(QStringLiteral("url"));
    if (parser.isSet(QStringLiteral("connect"))) {
        connection.kind = ConnectionSettings::Kind::Server;
        urlText = parser.value(QStringLiteral("connect"));
    }
    if (parser.isSet(QStringLiteral("backend"))) {
        const QString backend = parser.value(QStringLiteral("backend"));
        if (backend == QLatin1String("embedded")) {
            connection.kind = ConnectionSettings::Kind::Embedded;
        } else if (backend == QLatin1String("cloud")) {
            connection.kind = ConnectionSettings::Kind::Cloud;
        } else if (backend == QLatin1String("server")) {
            connection.kind = ConnectionSettings::Kind::Server;
        } else {
            *error = tr("invalid --backend '%1': expected embedded, cloud or server").arg(backend);
            return std::nullopt;
        }
    }

    if (!connection.isRemote()) {
        if (!urlText.isEmpty() || parser.isSet(QStringLiteral("api-key"))
            || parser.isSet(QStringLiteral("no-auth"))) {
            *error = tr("--url, --api-key and --no-auth need --backend cloud or --backend server");
            return std::nullopt;
        }
        return connection;
    }

    if (urlText.isEmpty())
        urlText = ConnectionSettings::defaultUrl(connection.kind).toString();
    const QString problem = ConnectionSettings::urlProblem(urlText);
    if (!problem.isEmpty()) {
        *error = tr("invalid URL '%1': %2").arg(urlText, problem);
        return std::nullopt;
    }
    connection.url = ConnectionSettings::parseUrl(urlText);
    connection.apiKey = parser.value(QStringLiteral("api-key"));
    connection.noAuth = parser.isSet(QStringLiteral("no-auth"));
    connection.dataDir.clear();
    return connection;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    // No organization name and the CLI's application name, so both default to the same
    // data directory (AppDataLocation: ~/.local/share/accrete on Linux).
    QCoreApplication::setApplicationName(QStringLiteral("accrete"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ACCRETE_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Accrete"));
    QGuiApplication::setDesktopFileName(QStringLiteral("accrete"));
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/accrete/icons/accrete.svg")));
    Accrete::registerCoreMetaTypes();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Curate and grow image and video datasets."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(
        QStringLiteral("data-dir"),
        QCoreApplication::translate("main", "Keep the embedded datasets in DIR (default: %1).")
            .arg(QDir::toNativeSeparators(Accrete::EmbeddedService::defaultDataDir())),
        QCoreApplication::translate("main", "DIR"));
    const QCommandLineOption datasetOption(
        QStringLiteral("dataset"),
        QCoreApplication::translate("main", "Open the dataset with id ID at start."),
        QCoreApplication::translate("main", "ID"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QCoreApplication::translate("main",
                                    "Save a PNG of the window to FILE once the dataset given "
                                    "with --dataset and its thumbnails are loaded, then quit."),
        QCoreApplication::translate("main", "FILE"));
    const QCommandLineOption connectOption(
        QStringLiteral("connect"),
        QCoreApplication::translate("main", "Connect to the server at URL (same as --backend "
                                            "server --url URL)."),
        QCoreApplication::translate("main", "URL"));
    const QCommandLineOption backendOption(
        QStringLiteral("backend"),
        QCoreApplication::translate("main", "Backend to start on: embedded, cloud or server "
                                            "(default: the last connection, else embedded)."),
        QCoreApplication::translate("main", "KIND"));
    const QCommandLineOption urlOption(
        QStringLiteral("url"),
        QCoreApplication::translate("main", "Base URL of the cloud or server backend (default "
                                            "https://app.visual-layer.com or "
                                            "http://127.0.0.1:2080)."),
        QCoreApplication::translate("main", "URL"));
    const QCommandLineOption apiKeyOption(
        QStringLiteral("api-key"),
        QCoreApplication::translate("main", "API key for the cloud or server backend (default "
                                            "$ACCRETE_API_KEY). The secret is read from the "
                                            "system keychain, then $ACCRETE_API_SECRET."),
        QCoreApplication::translate("main", "KEY"));
    const QCommandLineOption noAuthOption(
        QStringLiteral("no-auth"),
        QCoreApplication::translate("main", "Send no Authorization header (servers started with "
                                            "--no-auth)."));
    parser.addOptions({ dataDirOption, connectOption, backendOption, urlOption, apiKeyOption,
                        noAuthOption, datasetOption, screenshotOption });
    parser.process(app);

    if (parser.isSet(screenshotOption) && !parser.isSet(datasetOption)) {
        qCCritical(lcUi) << "--screenshot needs --dataset";
        return 2;
    }

    QString optionError;
    std::optional<Accrete::ConnectionSettings> connection =
        connectionFromCommandLine(parser, &optionError);
    if (!optionError.isEmpty()) {
        qCCritical(lcUi).noquote() << optionError;
        return 2;
    }
    // Options choose the connection of this run only; the remembered one changes through
    // File → Connect….
    const bool fromCommandLine = connection.has_value();
    if (!connection)
        connection = Accrete::MainWindow::rememberedConnection();
    if (!connection) {
        connection = Accrete::ConnectionSettings();
        connection->dataDir = Accrete::EmbeddedService::defaultDataDir();
    }

    // Declared before the window, which calls it until it closes.
    Accrete::CredentialStore credentials;
    Accrete::MainWindow window(nullptr);
    window.setConnectionSupport(
        &createService,
        [&credentials](const QUrl &baseUrl, const QString &apiKey, const QString &secret) {
            return credentials.writeSecret(baseUrl, apiKey, secret);
        },
        Accrete::EmbeddedService::defaultDataDir());
    qCInfo(lcUi) << "starting on" << connection->displayName()
                 << (fromCommandLine ? "(command line)" : "");
    window.connectTo(*connection, false);
    window.show();

    if (parser.isSet(datasetOption)) {
        const QString datasetId = parser.value(datasetOption);
        Accrete::DatasetView *view = window.openDataset(datasetId);
        if (parser.isSet(screenshotOption)) {
            if (!view) {
                qCCritical(lcUi).noquote()
                    << QCoreApplication::translate("main", "cannot open dataset '%1': no backend")
                           .arg(datasetId);
                return 1;
            }
            // Without the dataset there is nothing to wait for: report and quit. Without
            // --screenshot the view's banner shows the error and the window stays open.
            QObject::connect(view, &Accrete::DatasetView::datasetOpenFailed, &window,
                             [](const QString &id, const Accrete::ServiceError &error) {
                                 qCCritical(lcUi).noquote()
                                     << QCoreApplication::translate("main",
                                                                    "cannot open dataset '%1': %2")
                                            .arg(id, error.toString());
                                 QCoreApplication::exit(1);
                             });
            saveScreenshotWhenLoaded(&window, view, parser.value(screenshotOption));
        }
    }
    return app.exec();
}
