#pragma once

#include <functional>
#include <memory>

#include <QMainWindow>
#include <QPointer>

#include "connectiondialog.h"
#include "connectionsettings.h"

class QLabel;
class QListView;
class QMenu;
class QSplitter;
class QTabWidget;

namespace Accrete {

class DatasetListModel;
class DatasetService;
class DatasetView;
class MessageBanner;

// The desktop window: the connection's datasets on the left, one tab per open dataset on the
// right. Window geometry, tool bar and splitter state persist through QSettings, and so does
// the last connection chosen with File → Connect… (never its secret).
//
// The window shows one connection at a time: the window title, the status bar and the dataset
// list name it, and switching closes the tabs of the previous connection.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // Creates the service of a connection, or returns null and sets `*error` when it cannot.
    // The window owns the result; the factory passes no QObject parent.
    using ServiceFactory = std::function<std::unique_ptr<DatasetService>(
        const ConnectionSettings &connection, QString *error)>;

    // `service` may be null (connect later with setService() or connectTo()); the window does
    // not own it.
    explicit MainWindow(DatasetService *service, QWidget *parent = nullptr);
    ~MainWindow() override;

    // What File → Connect… needs: the factory for the chosen connection, the writer that
    // stores a typed secret (CredentialStore::writeSecret in the app) and the data directory
    // offered for Embedded. Without a factory the Connect action is disabled.
    void setConnectionSupport(ServiceFactory factory, ConnectionDialog::SecretWriter secretWriter,
                              const QString &defaultDataDir);

    // Replaces the service of the window and of every dataset tab: closes the open tabs,
    // names `connection` in the title and status bar and reloads the dataset list.
    void setService(std::unique_ptr<DatasetService> service, const ConnectionSettings &connection);
    // Creates the service with the factory and switches to it. With `remember`, stores
    // `connection` (without its secret) as the one to restore at the next start. On failure
    // shows the reason in the banner and returns false.
    bool connectTo(const ConnectionSettings &connection, bool remember = true);
    // Opens File → Connect… (non-blocking); connects when it is accepted.
    void showConnectionDialog();

    DatasetService *service() const;
    const ConnectionSettings &connection() const { return m_connection; }
    // "Server http://127.0.0.1:2080", or the service's own name when no connection was set.
    QString connectionName() const;
    QAction *connectAction() const { return m_connectAction; }
    ConnectionDialog *connectionDialog() const { return m_connectionDialog; }

    // The connection remembered by connectTo(), if one is stored.
    static std::optional<ConnectionSettings> rememberedConnection();

    // Opens the view of `datasetId` in a tab, or switches to its tab when it is open.
    DatasetView *openDataset(const QString &datasetId);
    DatasetView *currentDatasetView() const;
    DatasetView *datasetView(const QString &datasetId) const;

    DatasetListModel *datasetModel() const { return m_datasetModel; }
    QListView *datasetList() const { return m_datasetList; }
    QTabWidget *tabs() const { return m_tabs; }
    MessageBanner *banner() const { return m_banner; }
    QLabel *connectionLabel() const { return m_connectionLabel; }

    void createDatasetFromFolder(const QString &folder, const QString &name);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    QWidget *createDatasetPane();
    QWidget *createWelcomePage();
    void newDatasetFromFolder();
    void openSelectedDataset();
    void closeTab(int index);
    void onCurrentTabChanged();
    void restoreSettings();
    void saveSettings() const;
    void attachService(DatasetService *service);
    void closeAllDatasetTabs();
    void updateWindowTitle();

    QPointer<DatasetService> m_service;
    std::unique_ptr<DatasetService> m_ownedService; // null when the service is not owned
    ConnectionSettings m_connection;
    bool m_hasConnection = false; // false: m_connection is unset, name the service instead
    ServiceFactory m_serviceFactory;
    ConnectionDialog::SecretWriter m_secretWriter;
    QString m_defaultDataDir;
    QPointer<ConnectionDialog> m_connectionDialog;
    QLabel *m_datasetPaneConnection = nullptr;
    DatasetListModel *m_datasetModel = nullptr;
    QListView *m_datasetList = nullptr;
    QTabWidget *m_tabs = nullptr;
    QSplitter *m_splitter = nullptr;
    MessageBanner *m_banner = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QWidget *m_welcomePage = nullptr;

    QAction *m_connectAction = nullptr;
    QAction *m_newDatasetAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_closeTabAction = nullptr;
    QAction *m_quitAction = nullptr;
    QMenu *m_datasetMenu = nullptr;
};

} // namespace Accrete
