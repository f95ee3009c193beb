// The main window's connections: the connection dialog's validation and secret handling, and
// the window on a Server connection to a real ApiServer (no authentication, port 0 on
// 127.0.0.1) over a real EmbeddedService in a temporary data directory. Status changes reach
// the view only through the client's polling.

#include <QCheckBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QProgressBar>
#include <QProcess>
#include <QPromise>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <chrono>
#include <memory>

#include "cloud/cloudservice.h"
#include "cloud/credentialstore.h"
#include "core/metatypes.h"
#include "core/serviceerror.h"
#include "core/statusmachine.h"
#include "pipeline/embeddedservice.h"
#include "server/apiserver.h"
#include "testsupport.h"
#include "ui/connectiondialog.h"
#include "ui/connectionsettings.h"
#include "ui/datasetlistmodel.h"
#include "ui/datasetview.h"
#include "ui/mainwindow.h"
#include "ui/mediagridmodel.h"
#include "ui/messagebanner.h"
#include "ui/statusbadge.h"
#include "ui/statuspanel.h"

using namespace Accrete;
using namespace std::chrono_literals;

namespace {

constexpr int kIndexTimeoutMs = 180'000;
constexpr int kRequestTimeoutMs = 30'000;
constexpr int kInitialPhotos = 4;
const QString kSecret = QStringLiteral("gui-secret-5f0c2e91");

QSettings appSettings()
{
    return QSettings(QSettings::UserScope, QStringLiteral("accrete"), QStringLiteral("accrete"));
}

// Sends the drag-enter, drag-move and drop events of a desktop drop of `paths`, as a copy.
// Returns whether the target accepted the drop.
bool dropPaths(QWidget *target, const QStringList &paths)
{
    QMimeData mimeData;
    QList<QUrl> urls;
    for (const QString &path : paths)
        urls.append(QUrl::fromLocalFile(path));
    mimeData.setUrls(urls);
    const QPoint position = target->rect().center();
    QDragEnterEvent enter(position, Qt::CopyAction, &mimeData, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDragMoveEvent move(position, Qt::CopyAction, &mimeData, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &move);
    QDropEvent drop(QPointF(position), Qt::CopyAction, &mimeData, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

// A secret writer that records its calls and succeeds, as a working keychain does.
struct RecordingSecretWriter
{
    struct Call
    {
        QUrl baseUrl;
        QString apiKey;
        QString secret;
    };
    QList<Call> calls;

    ConnectionDialog::SecretWriter writer()
    {
        return [this](const QUrl &baseUrl, const QString &apiKey, const QString &secret) {
            calls.append({ baseUrl, apiKey, secret });
            QPromise<void> promise;
            promise.start();
            promise.finish();
            return promise.future();
        };
    }
};

} // namespace

class TestConnections final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void urlProblem_data();
    void urlProblem();
    void dialogShowsUrlProblemWhileTyping();
    void dialogSecretGoesToWriterNotSettings();
    void dialogNotesUnavailableKeychain();
    void noAuthDisablesKeyAndSecret();
    void rememberedConnectionRestored();
    void serverConnectionListsDatasets();
    void dropOnServerPollsToPartialThenReady();
    void secondDropOnServerShowsConflict();
    void cancelUploadShowsBanner();
    void switchingConnectionClosesTabs();
    void appRejectsInvalidConnection_data();
    void appRejectsInvalidConnection();
    void appConnectOptionOpensServer();

private:
    QString createReadyDataset();
    ConnectionSettings serverConnection() const;
    MainWindow *showWindow();
    DatasetView *openOnServer(const QString &datasetId);
    std::unique_ptr<DatasetService> createService(const ConnectionSettings &connection);
    // Starts the accrete executable on the offscreen platform with its settings in the test's
    // folder, waits for it to exit and returns its exit code (-1 when it did not exit normally).
    int runApp(const QStringList &arguments);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedService> m_embedded;
    std::unique_ptr<ApiServer> m_server;
    std::unique_ptr<MainWindow> m_window;
    RecordingSecretWriter m_secrets;
    QStringList m_badgeTexts;
};

void TestConnections::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
    QVERIFY2(TestSupport::opencvPhotos().size() >= kInitialPhotos + 12,
             "too few photos in /usr/share/doc/opencv-doc/examples/data; install opencv-doc");
}

void TestConnections::init()
{
    appSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_embedded = std::make_unique<EmbeddedService>(m_dir->filePath(QStringLiteral("server-data")));

    ApiServerOptions options;
    options.port = 0;
    options.uploadDir = m_dir->filePath(QStringLiteral("uploads"));
    options.authenticationEnabled = false;
    m_server = std::make_unique<ApiServer>(m_embedded.get(), options);
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));
    m_secrets.calls.clear();
    m_badgeTexts.clear();
}

void TestConnections::cleanup()
{
    // The window owns the client, which must stop before the server it talks to.
    m_window.reset();
    if (m_server)
        m_server->close();
    m_server.reset();
    m_embedded.reset();
    m_dir.reset();
    appSettings().clear();
}

std::unique_ptr<DatasetService> TestConnections::createService(const ConnectionSettings &connection)
{
    if (connection.kind == ConnectionSettings::Kind::Embedded)
        return std::make_unique<EmbeddedService>(connection.dataDir);
    RemoteConnection remote;
    remote.kind = connection.kind == ConnectionSettings::Kind::Cloud ? RemoteConnection::Kind::Cloud
                                                                      : RemoteConnection::Kind::Server;
    remote.baseUrl = connection.url;
    remote.apiKey = connection.apiKey;
    remote.noAuth = connection.noAuth;
    remote.apiSecret = connection.apiSecret;
    auto service = std::make_unique<CloudService>(remote);
    // Short intervals keep the test quick; the status still arrives only by polling.
    service->setWatchIntervals(50ms, 400ms);
    return service;
}

ConnectionSettings TestConnections::serverConnection() const
{
    ConnectionSettings connection;
    connection.kind = ConnectionSettings::Kind::Server;
    connection.url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
    connection.noAuth = true;
    return connection;
}

MainWindow *TestConnections::showWindow()
{
    m_window = std::make_unique<MainWindow>(nullptr);
    m_window->setConnectionSupport(
        [this](const ConnectionSettings &connection, QString *) { return createService(connection); },
        m_secrets.writer(), m_dir->filePath(QStringLiteral("default-data")));
    m_window->resize(1360, 820);
    m_window->show();
    if (!QTest::qWaitForWindowExposed(m_window.get()))
        return nullptr;
    return m_window.get();
}

QString TestConnections::createReadyDataset()
{
    const QString folder = m_dir->filePath(QStringLiteral("initial"));
    if (TestSupport::copyPhotos(folder, kInitialPhotos).size() != kInitialPhotos)
        return {};
    QFuture<DatasetInfo> created = m_embedded->createDataset({ QStringLiteral("Shared photos"), folder });
    if (!QTest::qWaitFor([&created] { return created.isFinished(); }, kRequestTimeoutMs))
        return {};
    QString datasetId;
    try {
        datasetId = created.result().id;
    } catch (const ServiceError &error) {
        qWarning("createDataset failed: %s", qPrintable(error.toString()));
        return {};
    }
    const bool ready = QTest::qWaitFor(
        [this, &datasetId] {
            QFuture<DatasetInfo> info = m_embedded->dataset(datasetId);
            if (!QTest::qWaitFor([&info] { return info.isFinished(); }, kRequestTimeoutMs))
                return false;
            try {
                return info.result().status == DatasetStatus::Ready;
            } catch (const ServiceError &) {
                return false;
            }
        },
        kIndexTimeoutMs);
    return ready ? datasetId : QString();
}

DatasetView *TestConnections::openOnServer(const QString &datasetId)
{
    MainWindow *window = showWindow();
    if (!window || !window->connectTo(serverConnection()))
        return nullptr;
    if (!QTest::qWaitFor([window] { return window->datasetModel()->rowCount() == 1; }, kRequestTimeoutMs))
        return nullptr;
    window->datasetList()->setCurrentIndex(window->datasetModel()->index(0));
    DatasetView *view = window->openDataset(datasetId);
    if (!view || !QTest::qWaitFor([view] { return view->hasDataset(); }, kRequestTimeoutMs))
        return nullptr;
    connect(view->statusPanel()->badge(), &StatusBadge::statusChanged, this,
            [this, view] { m_badgeTexts.append(view->statusPanel()->badge()->text()); });
    return view;
}

void TestConnections::urlProblem_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("reasonPart");

    QTest::newRow("http with port") << QStringLiteral("http://127.0.0.1:2080") << true << QString();
    QTest::newRow("https host") << QStringLiteral("https://app.visual-layer.com") << true << QString();
    QTest::newRow("surrounding spaces") << QStringLiteral("  http://localhost:2080/  ") << true << QString();
    QTest::newRow("empty") << QString() << false << QStringLiteral("Enter the URL");
    QTest::newRow("ftp scheme") << QStringLiteral("ftp://127.0.0.1") << false << QStringLiteral("ftp");
    QTest::newRow("no scheme") << QStringLiteral("localhost") << false << QStringLiteral("scheme");
    QTest::newRow("no host") << QStringLiteral("http://") << false << QStringLiteral("no host");
    QTest::newRow("file url") << QStringLiteral("file:///tmp") << false << QStringLiteral("file");
    QTest::newRow("credentials") << QStringLiteral("http://user:pw@127.0.0.1:2080") << false
                                 << QStringLiteral("password");
    QTest::newRow("query") << QStringLiteral("http://127.0.0.1:2080/?a=b") << false
                           << QStringLiteral("query");
    QTest::newRow("bad port") << QStringLiteral("http://127.0.0.1:99999") << false
                              << QStringLiteral("invalid");
}

void TestConnections::urlProblem()
{
    QFETCH(QString, url);
    QFETCH(bool, valid);
    QFETCH(QString, reasonPart);

    const QString problem = ConnectionSettings::urlProblem(url);
    QCOMPARE(problem.isEmpty(), valid);
    if (!valid)
        QVERIFY2(problem.contains(reasonPart, Qt::CaseInsensitive), qPrintable(problem));
}

void TestConnections::dialogShowsUrlProblemWhileTyping()
{
    ConnectionSettings current;
    current.kind = ConnectionSettings::Kind::Server;
    ConnectionDialog dialog(current, m_dir->path(), m_secrets.writer());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QLineEdit *url = dialog.urlEdit(ConnectionSettings::Kind::Server);
    QVERIFY(url);
    QCOMPARE(url->text(), QStringLiteral("http://127.0.0.1:2080"));
    QVERIFY(dialog.okButton()->isEnabled());
    QVERIFY(dialog.problemLabel()->isHidden());

    url->clear();
    QTest::keyClicks(url, QStringLiteral("ftp://127.0.0.1"));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY(dialog.problemLabel()->isVisible());
    QVERIFY2(dialog.problemLabel()->text().contains(QLatin1String("ftp")),
             qPrintable(dialog.problemLabel()->text()));

    url->clear();
    QTest::keyClicks(url, QStringLiteral("http://127.0.0.1:2081"));
    QVERIFY(dialog.okButton()->isEnabled());
    QVERIFY(dialog.problemLabel()->isHidden());
    QCOMPARE(dialog.connection().url, QUrl(QStringLiteral("http://127.0.0.1:2081")));

    // A secret without the key it belongs to cannot be stored.
    QTest::keyClicks(dialog.apiSecretEdit(ConnectionSettings::Kind::Server), QStringLiteral("s"));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.problemLabel()->text().contains(QLatin1String("API key")),
             qPrintable(dialog.problemLabel()->text()));

    // An Embedded data directory that is a file is rejected with its reason.
    dialog.setKind(ConnectionSettings::Kind::Embedded);
    QFile file(m_dir->filePath(QStringLiteral("not-a-dir")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    dialog.dataDirEdit()->setText(file.fileName());
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.problemLabel()->text().contains(QLatin1String("not a directory")),
             qPrintable(dialog.problemLabel()->text()));
    dialog.dataDirEdit()->setText(m_dir->filePath(QStringLiteral("new-data")));
    QVERIFY(dialog.okButton()->isEnabled());
}

void TestConnections::dialogSecretGoesToWriterNotSettings()
{
    MainWindow *window = showWindow();
    QVERIFY(window);
    QVERIFY(window->connectAction()->isEnabled());
    window->connectAction()->trigger();
    ConnectionDialog *dialog = window->connectionDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());

    dialog->setKind(ConnectionSettings::Kind::Server);
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());
    dialog->urlEdit(ConnectionSettings::Kind::Server)->setText(url);
    dialog->apiKeyEdit(ConnectionSettings::Kind::Server)->setText(QStringLiteral("gui-key"));
    QTest::keyClicks(dialog->apiSecretEdit(ConnectionSettings::Kind::Server), kSecret);
    QVERIFY(dialog->okButton()->isEnabled());
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);

    QCOMPARE(m_secrets.calls.size(), 1);
    QCOMPARE(m_secrets.calls.first().baseUrl, QUrl(url));
    QCOMPARE(m_secrets.calls.first().apiKey, QStringLiteral("gui-key"));
    QCOMPARE(m_secrets.calls.first().secret, kSecret);
    QTRY_VERIFY(!window->connectionDialog());
    QCOMPARE(window->connection().kind, ConnectionSettings::Kind::Server);
    QCOMPARE(window->connection().apiKey, QStringLiteral("gui-key"));
    QVERIFY(window->connection().apiSecret.isEmpty());
    QCOMPARE(window->connectionLabel()->text(), QStringLiteral("Server %1").arg(url));

    // The remembered connection has the key name and URL, and the secret is nowhere in the
    // settings file.
    const auto remembered = MainWindow::rememberedConnection();
    QVERIFY(remembered);
    QCOMPARE(remembered->kind, ConnectionSettings::Kind::Server);
    QCOMPARE(remembered->url, QUrl(url));
    QCOMPARE(remembered->apiKey, QStringLiteral("gui-key"));
    QVERIFY(remembered->apiSecret.isEmpty());

    QSettings settings = appSettings();
    settings.sync();
    for (const QString &key : settings.allKeys()) {
        QVERIFY2(!settings.value(key).toString().contains(kSecret), qPrintable(key));
        QVERIFY2(!key.contains(QLatin1String("secret"), Qt::CaseInsensitive), qPrintable(key));
    }
    QFile file(settings.fileName());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
    const QByteArray contents = file.readAll();
    QVERIFY(contents.contains("gui-key"));
    QVERIFY(!contents.contains(kSecret.toUtf8()));
}

void TestConnections::dialogNotesUnavailableKeychain()
{
    // A real CredentialStore with the keychain off fails every write, as a machine without a
    // keychain service does.
    CredentialStore store;
    store.setKeychainEnabled(false);
    ConnectionSettings current;
    current.kind = ConnectionSettings::Kind::Cloud;
    ConnectionDialog dialog(current, m_dir->path(),
                            [&store](const QUrl &baseUrl, const QString &apiKey, const QString &secret) {
                                return store.writeSecret(baseUrl, apiKey, secret);
                            });
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QVERIFY(accepted.isValid());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.urlEdit(ConnectionSettings::Kind::Cloud)->text(),
             QStringLiteral("https://app.visual-layer.com"));
    dialog.apiKeyEdit(ConnectionSettings::Kind::Cloud)->setText(QStringLiteral("cloud-key"));
    dialog.apiSecretEdit(ConnectionSettings::Kind::Cloud)->setText(kSecret);

    QTest::mouseClick(dialog.okButton(), Qt::LeftButton);
    QTRY_VERIFY(dialog.keychainNote()->isVisible());
    QTRY_VERIFY(dialog.okButton()->isEnabled());
    QCOMPARE(accepted.count(), 0);
    QVERIFY(dialog.isVisible());
    const QString note = dialog.keychainNote()->text();
    QVERIFY2(note.contains(QLatin1String("keychain")), qPrintable(note));
    QVERIFY2(note.contains(QLatin1String("ACCRETE_API_SECRET")), qPrintable(note));
    QVERIFY2(!note.contains(kSecret), qPrintable(note));

    // Connect again: this session uses the typed secret without storing it.
    QTest::mouseClick(dialog.okButton(), Qt::LeftButton);
    QCOMPARE(accepted.count(), 1);
    QCOMPARE(dialog.connection().apiSecret, kSecret);
    QCOMPARE(dialog.connection().kind, ConnectionSettings::Kind::Cloud);
}

void TestConnections::noAuthDisablesKeyAndSecret()
{
    ConnectionSettings current = serverConnection();
    current.apiKey = QStringLiteral("ignored-key");
    ConnectionDialog dialog(current, m_dir->path(), m_secrets.writer());
    QVERIFY(dialog.noAuthCheck()->isChecked());
    QVERIFY(!dialog.apiKeyEdit(ConnectionSettings::Kind::Server)->isEnabled());
    QVERIFY(!dialog.apiSecretEdit(ConnectionSettings::Kind::Server)->isEnabled());
    QVERIFY(dialog.connection().noAuth);
    QVERIFY(dialog.connection().apiKey.isEmpty());

    dialog.noAuthCheck()->setChecked(false);
    QVERIFY(dialog.apiKeyEdit(ConnectionSettings::Kind::Server)->isEnabled());
    QCOMPARE(dialog.connection().apiKey, QStringLiteral("ignored-key"));
    QVERIFY(!dialog.connection().noAuth);
}

void TestConnections::rememberedConnectionRestored()
{
    QVERIFY(!MainWindow::rememberedConnection());
    MainWindow *window = showWindow();
    QVERIFY(window);
    QVERIFY(window->connectTo(serverConnection()));
    const auto remembered = MainWindow::rememberedConnection();
    QVERIFY(remembered);
    QCOMPARE(remembered->kind, ConnectionSettings::Kind::Server);
    QCOMPARE(remembered->url, serverConnection().url);
    QVERIFY(remembered->noAuth);

    // A connection chosen for one run only is not remembered.
    ConnectionSettings embedded;
    embedded.dataDir = m_dir->filePath(QStringLiteral("other-data"));
    QVERIFY(window->connectTo(embedded, false));
    QCOMPARE(MainWindow::rememberedConnection()->kind, ConnectionSettings::Kind::Server);

    // An unusable stored URL is ignored rather than connected to.
    QSettings settings = appSettings();
    settings.setValue(QStringLiteral("Connection/url"), QStringLiteral("ftp://127.0.0.1"));
    settings.sync();
    QVERIFY(!MainWindow::rememberedConnection());
}

void TestConnections::serverConnectionListsDatasets()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    MainWindow *window = showWindow();
    QVERIFY(window);
    QVERIFY(window->connectTo(serverConnection()));

    const QString name = QStringLiteral("Server http://127.0.0.1:%1").arg(m_server->port());
    QTRY_COMPARE_WITH_TIMEOUT(window->datasetModel()->rowCount(), 1, kRequestTimeoutMs);
    QCOMPARE(window->datasetModel()->datasetAt(0).id, datasetId);
    QCOMPARE(window->datasetModel()->datasetAt(0).displayName, QStringLiteral("Shared photos"));
    QCOMPARE(window->datasetModel()->datasetAt(0).status, DatasetStatus::Ready);
    QCOMPARE(window->connectionLabel()->text(), name);
    QCOMPARE(window->windowTitle(), name);
    QVERIFY(qobject_cast<CloudService *>(window->service()));

    DatasetView *view = window->openDataset(datasetId);
    QVERIFY(view);
    QTRY_VERIFY_WITH_TIMEOUT(view->hasDataset(), kRequestTimeoutMs);
    QCOMPARE(view->statusPanel()->badge()->text(), QStringLiteral("READY"));
    QTRY_COMPARE(window->windowTitle(), QStringLiteral("Shared photos — %1").arg(name));
}

void TestConnections::dropOnServerPollsToPartialThenReady()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openOnServer(datasetId);
    QVERIFY(view);
    QCOMPARE(view->statusPanel()->badge()->text(), QStringLiteral("READY"));

    // What the status panel shows while the client reports upload progress.
    QStringList uploadFormats;
    bool cancelShownDuringUpload = false;
    connect(m_window->service(), &DatasetService::uploadProgress, this,
            [&uploadFormats, &cancelShownDuringUpload, view] {
                uploadFormats.append(view->statusPanel()->progressBar()->format());
                cancelShownDuringUpload = view->statusPanel()->cancelUploadButton()->isVisibleTo(view);
            });

    // Six photos keep the batch running for several polls, so READ ONLY is seen.
    constexpr int batchSize = 6;
    const QStringList photos =
        TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("batch")), batchSize, kInitialPhotos);
    QCOMPARE(photos.size(), batchSize);
    QVERIFY(dropPaths(view->dropTarget(), photos));

    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"),
                              kIndexTimeoutMs);
    const qsizetype readOnlyAt = m_badgeTexts.indexOf(QStringLiteral("READ ONLY"));
    QVERIFY2(readOnlyAt >= 0, qPrintable(m_badgeTexts.join(QLatin1String(", "))));
    QVERIFY(readOnlyAt < m_badgeTexts.lastIndexOf(QStringLiteral("PARTIAL INDEX")));
    QCOMPARE(view->dataset().nImages, kInitialPhotos + batchSize);
    QVERIFY(!uploadFormats.isEmpty());
    QVERIFY2(uploadFormats.last().startsWith(QLatin1String("Uploading")), qPrintable(uploadFormats.last()));
    QVERIFY(cancelShownDuringUpload);
    QVERIFY(!view->statusPanel()->isShowingUpload());
    QVERIFY(view->statusPanel()->cancelUploadButton()->isHidden());
    QVERIFY(!view->banner()->isVisible());

    // The grid lists every served item, and each visible thumbnail arrives over HTTP.
    MediaGridModel *grid = view->gridModel();
    QTRY_COMPARE_WITH_TIMEOUT(grid->totalCount(), kInitialPhotos + batchSize, kRequestTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(grid->rowCount(), kInitialPhotos + batchSize, kRequestTimeoutMs);
    const auto visibleThumbnailsLoaded = [view, grid] {
        view->grid()->viewport()->grab(); // painting requests the visible thumbnails
        if (grid->pendingThumbnailCount() > 0)
            return false;
        int loaded = 0;
        for (int row = 0; row < grid->rowCount(); ++row) {
            const QModelIndex index = grid->index(row);
            if (!view->grid()->viewport()->rect().intersects(view->grid()->visualRect(index)))
                continue;
            if (!index.data(MediaGridModel::ThumbnailLoadedRole).toBool())
                return false;
            ++loaded;
        }
        return loaded > 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(visibleThumbnailsLoaded(), kRequestTimeoutMs);
    int unclustered = 0;
    for (int row = 0; row < grid->rowCount(); ++row)
        unclustered += grid->index(row).data(MediaGridModel::ClusteredRole).toBool() ? 0 : 1;
    QCOMPARE(unclustered, batchSize);

    const QString targetDir = qEnvironmentVariable("ACCRETE_SCREENSHOT_DIR", m_dir->path());
    QVERIFY(m_window->grab().save(QDir(targetDir).filePath(QStringLiteral("screenshot-server-connection.png"))));

    m_badgeTexts.clear();
    QPushButton *reindex = view->statusPanel()->reindexButton();
    QTRY_VERIFY(reindex->isEnabled());
    QTest::mouseClick(reindex, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("READY"),
                              kIndexTimeoutMs);
    // Polling may miss the short READ ONLY and INDEXING phases, so only the change to READY
    // is certain.
    QVERIFY(!m_badgeTexts.isEmpty());
    QCOMPARE(m_badgeTexts.last(), QStringLiteral("READY"));
    QCOMPARE(view->dataset().nPendingItems, 0);
    QVERIFY(!reindex->isEnabled());

    // The finished reindex reloads the grid with every item clustered.
    const auto everyItemClustered = [grid] {
        if (grid->rowCount() != kInitialPhotos + batchSize)
            return false;
        for (int row = 0; row < grid->rowCount(); ++row) {
            if (!grid->index(row).data(MediaGridModel::ClusteredRole).toBool())
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(everyItemClustered(), kRequestTimeoutMs);
}

void TestConnections::secondDropOnServerShowsConflict()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openOnServer(datasetId);
    QVERIFY(view);

    // A large first batch keeps the dataset READ ONLY while the second drop is uploaded.
    const int largeCount = int(TestSupport::opencvPhotos().size()) - kInitialPhotos - 2;
    const QStringList first =
        TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("first")), largeCount, kInitialPhotos);
    const QStringList second = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("second")), 2,
                                                       kInitialPhotos + largeCount);
    QCOMPARE(second.size(), 2);
    QVERIFY(dropPaths(view->dropTarget(), first));
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("READ ONLY"),
                              kRequestTimeoutMs);
    QVERIFY(dropPaths(view->dropTarget(), second));

    DatasetState busy;
    busy.datasetId = datasetId;
    busy.status = DatasetStatus::ReadOnly;
    busy.runningTask = TaskType::MediaAddition;
    busy.hasEmbeddingConfig = true;
    const QString detail =
        StatusMachine::checkOperation(DatasetOperation::AddMedia, busy)->detail().toHtmlEscaped();
    QTRY_VERIFY_WITH_TIMEOUT(view->banner()->isVisible(), kRequestTimeoutMs);
    QCOMPARE(view->banner()->kind(), MessageBanner::Kind::Error);
    QVERIFY2(view->banner()->text().contains(QLatin1String("409")), qPrintable(view->banner()->text()));
    QVERIFY2(view->banner()->text().contains(detail), qPrintable(view->banner()->text()));
    QCOMPARE(view->banner()->actionButtons().size(), 1);
    QCOMPARE(view->banner()->actionButtons().first()->defaultAction(), view->retryAction());

    // The first batch still ends normally.
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"),
                              kIndexTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(view->dataset().nImages, kInitialPhotos + largeCount, kRequestTimeoutMs);
}

void TestConnections::cancelUploadShowsBanner()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openOnServer(datasetId);
    QVERIFY(view);

    // The Cancel button is clicked while the client reports the first bytes sent.
    int progressReports = 0;
    connect(m_window->service(), &DatasetService::uploadProgress, this, [&progressReports, view] {
        if (progressReports++ == 0 && view->statusPanel()->cancelUploadButton()->isVisibleTo(view))
            QTest::mouseClick(view->statusPanel()->cancelUploadButton(), Qt::LeftButton);
    });
    const QStringList photos =
        TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("batch")), 4, kInitialPhotos);
    QCOMPARE(photos.size(), 4);
    QVERIFY(dropPaths(view->dropTarget(), photos));

    QTRY_VERIFY_WITH_TIMEOUT(view->banner()->isVisible(), kRequestTimeoutMs);
    QVERIFY(progressReports > 0);
    QCOMPARE(view->banner()->kind(), MessageBanner::Kind::Error);
    QVERIFY2(view->banner()->text().contains(QLatin1String("Upload cancelled")),
             qPrintable(view->banner()->text()));
    QVERIFY(view->statusPanel()->cancelUploadButton()->isHidden());
    QVERIFY(!view->statusPanel()->isShowingUpload());
    // The dropped files stay available for Retry.
    QCOMPARE(view->banner()->actionButtons().size(), 1);
    QCOMPARE(view->banner()->actionButtons().first()->defaultAction(), view->retryAction());
}

void TestConnections::switchingConnectionClosesTabs()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    QPointer<DatasetView> view = openOnServer(datasetId);
    QVERIFY(view);
    QCOMPARE(m_window->tabs()->count(), 2);
    QPointer<DatasetService> serverClient = m_window->service();

    ConnectionSettings embedded;
    embedded.dataDir = m_dir->filePath(QStringLiteral("local-data"));
    QVERIFY(m_window->connectTo(embedded));
    QVERIFY(view.isNull());
    QCOMPARE(m_window->tabs()->count(), 1);
    QVERIFY(!m_window->currentDatasetView());
    QVERIFY(qobject_cast<EmbeddedService *>(m_window->service()));
    QTRY_VERIFY(serverClient.isNull());

    const QString name = QStringLiteral("Embedded %1").arg(QDir::toNativeSeparators(embedded.dataDir));
    QCOMPARE(m_window->connectionLabel()->text(), name);
    QCOMPARE(m_window->windowTitle(), name);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->datasetModel()->isLoading(), kRequestTimeoutMs);
    QCOMPARE(m_window->datasetModel()->rowCount(), 0);
    QCOMPARE(MainWindow::rememberedConnection()->kind, ConnectionSettings::Kind::Embedded);
    QCOMPARE(MainWindow::rememberedConnection()->dataDir, embedded.dataDir);
}

int TestConnections::runApp(const QStringList &arguments)
{
    QProcess app;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("ACCRETE_DATA_DIR"), m_dir->filePath(QStringLiteral("app-data")));
    app.setProcessEnvironment(environment);
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    app.start(QStringLiteral(ACCRETE_APP_PATH), arguments);
    if (!app.waitForStarted())
        return -1;
    // The event loop keeps running while waiting, so the in-process server answers the app.
    if (!QTest::qWaitFor([&app] { return app.state() == QProcess::NotRunning; }, kIndexTimeoutMs)) {
        app.kill();
        app.waitForFinished();
        return -1;
    }
    return app.exitStatus() == QProcess::NormalExit ? app.exitCode() : -1;
}

void TestConnections::appRejectsInvalidConnection_data()
{
    QTest::addColumn<QStringList>("arguments");

    QTest::newRow("unknown backend") << QStringList{ QStringLiteral("--backend"), QStringLiteral("ftp") };
    QTest::newRow("connect to ftp URL")
        << QStringList{ QStringLiteral("--connect"), QStringLiteral("ftp://127.0.0.1:2080") };
    QTest::newRow("server URL without host")
        << QStringList{ QStringLiteral("--backend"), QStringLiteral("server"), QStringLiteral("--url"),
                        QStringLiteral("http://") };
    QTest::newRow("url without remote backend")
        << QStringList{ QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:2080") };
    QTest::newRow("no-auth with embedded")
        << QStringList{ QStringLiteral("--backend"), QStringLiteral("embedded"), QStringLiteral("--no-auth") };
}

void TestConnections::appRejectsInvalidConnection()
{
    QFETCH(QStringList, arguments);
    QCOMPARE(runApp(arguments), 2);
}

void TestConnections::appConnectOptionOpensServer()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    const QString fileName = m_dir->filePath(QStringLiteral("app-server.png"));
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());

    QCOMPARE(runApp({ QStringLiteral("--connect"), url, QStringLiteral("--no-auth"),
                      QStringLiteral("--dataset"), datasetId, QStringLiteral("--screenshot"), fileName }),
             0);
    const QImage image(fileName);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800);

    // The dataset exists only on the server, and the app never started an embedded backend.
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("app-data"))));
    // A command-line connection is not remembered for the next start.
    QSettings settings(m_dir->filePath(QStringLiteral("config/accrete/accrete.conf")), QSettings::IniFormat);
    QVERIFY(!settings.contains(QStringLiteral("Connection/kind")));
}

QTEST_MAIN(TestConnections)
#include "tst_connections.moc"
