#pragma once

#include <QMainWindow>
#include <QPointer>

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
// right. Window geometry, tool bar and splitter state persist through QSettings.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(DatasetService *service, QWidget *parent = nullptr);

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

    QPointer<DatasetService> m_service;
    DatasetListModel *m_datasetModel = nullptr;
    QListView *m_datasetList = nullptr;
    QTabWidget *m_tabs = nullptr;
    QSplitter *m_splitter = nullptr;
    MessageBanner *m_banner = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QWidget *m_welcomePage = nullptr;

    QAction *m_newDatasetAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_closeTabAction = nullptr;
    QAction *m_quitAction = nullptr;
    QMenu *m_datasetMenu = nullptr;
};

} // namespace Accrete
