#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include "core/datasetservice.h"
#include "core/logging.h"
#include "core/serviceerror.h"
#include "datasetlistdelegate.h"
#include "datasetlistmodel.h"
#include "datasetview.h"
#include "errortext.h"
#include "messagebanner.h"

namespace Accrete {

namespace {

QIcon resourceIcon(const char *name)
{
    return QIcon(QStringLiteral(":/accrete/icons/%1.svg").arg(QLatin1String(name)));
}

QSettings userSettings()
{
    return QSettings(QSettings::UserScope, QStringLiteral("accrete"), QStringLiteral("accrete"));
}

} // namespace

MainWindow::MainWindow(DatasetService *service, QWidget *parent)
    : QMainWindow(parent)
    , m_service(service)
{
    setWindowTitle(tr("Accrete"));
    setWindowIcon(resourceIcon("accrete"));
    resize(1280, 800);

    createActions();

    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(4, 4, 4, 0);
    m_banner = new MessageBanner(central);
    centralLayout->addWidget(m_banner);

    m_splitter = new QSplitter(Qt::Horizontal, central);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(createDatasetPane());

    m_tabs = new QTabWidget(m_splitter);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    m_welcomePage = createWelcomePage();
    m_tabs->addTab(m_welcomePage, tr("Start"));
    m_tabs->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({ 280, 1000 });
    centralLayout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setToolTip(tr("The connection whose datasets this window shows"));
    statusBar()->addPermanentWidget(m_connectionLabel);

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::onCurrentTabChanged);
    connect(m_datasetList, &QListView::activated, this, &MainWindow::openSelectedDataset);

    restoreSettings();
    attachService(service);
    onCurrentTabChanged();
}

MainWindow::~MainWindow()
{
    // The tabs and the list model refer to the service, so they go first.
    closeAllDatasetTabs();
    delete m_datasetModel;
    m_datasetModel = nullptr;
}

void MainWindow::attachService(DatasetService *service)
{
    m_service = service;
    DatasetListModel *oldModel = m_datasetModel;
    m_datasetModel = new DatasetListModel(service, this);
    QItemSelectionModel *oldSelection = m_datasetList->selectionModel();
    m_datasetList->setModel(m_datasetModel);
    // The view does not delete the selection model of a replaced model.
    delete oldSelection;
    delete oldModel;

    connect(m_datasetModel, &DatasetListModel::loadFailed, this, [this](const ServiceError &error) {
        m_banner->showMessage(MessageBanner::Kind::Error,
                              serviceErrorMessage(error, FailedOperation::ListDatasets),
                              { m_refreshAction, m_connectAction });
    });
    connect(m_datasetModel, &DatasetListModel::loaded, this, [this] {
        statusBar()->showMessage((m_datasetModel->rowCount() == 1 ? tr("%1 dataset") : tr("%1 datasets")).arg(m_datasetModel->rowCount()), 4000);
        if (!m_datasetList->currentIndex().isValid() && m_datasetModel->rowCount() > 0)
            m_datasetList->setCurrentIndex(m_datasetModel->index(0));
    });

    m_connectionLabel->setText(connectionName());
    m_datasetPaneConnection->setText(connectionName());
    m_newDatasetAction->setEnabled(service != nullptr);
    m_refreshAction->setEnabled(service != nullptr);
    updateWindowTitle();
    if (service)
        m_datasetModel->reload();
}

DatasetService *MainWindow::service() const
{
    return m_service.data();
}

QString MainWindow::connectionName() const
{
    if (m_hasConnection)
        return m_connection.displayName();
    const DatasetService *service = m_service.data();
    return service ? service->connectionName() : tr("Not connected");
}

void MainWindow::updateWindowTitle()
{
    // The platform appends the application name.
    const DatasetView *view = currentDatasetView();
    const int tab = view ? m_tabs->indexOf(const_cast<DatasetView *>(view)) : -1;
    if (tab >= 0)
        setWindowTitle(tr("%1 — %2").arg(m_tabs->tabText(tab), connectionName()));
    else
        setWindowTitle(connectionName());
}

void MainWindow::setConnectionSupport(ServiceFactory factory,
                                      ConnectionDialog::SecretWriter secretWriter,
                                      const QString &defaultDataDir)
{
    m_serviceFactory = std::move(factory);
    m_secretWriter = std::move(secretWriter);
    m_defaultDataDir = defaultDataDir;
    m_connectAction->setEnabled(bool(m_serviceFactory));
}

void MainWindow::closeAllDatasetTabs()
{
    for (int i = m_tabs->count() - 1; i >= 0; --i) {
        auto *view = qobject_cast<DatasetView *>(m_tabs->widget(i));
        if (!view)
            continue;
        m_tabs->removeTab(i);
        // Deleted now, so that no view outlives the service it watches.
        delete view;
    }
}

void MainWindow::setService(std::unique_ptr<DatasetService> service,
                            const ConnectionSettings &connection)
{
    qCInfo(lcUi) << "switching to connection" << connection.displayName();
    closeAllDatasetTabs();
    m_banner->dismiss();

    std::unique_ptr<DatasetService> previous = std::move(m_ownedService);
    m_ownedService = std::move(service);
    m_connection = connection;
    // The secret stays with the service that needs it, not with the window.
    m_connection.apiSecret.clear();
    m_hasConnection = true;
    attachService(m_ownedService.get());
    // Replies and watch timers of the previous service may still be queued.
    if (previous)
        previous.release()->deleteLater();
}

bool MainWindow::connectTo(const ConnectionSettings &connection, bool remember)
{
    if (!m_serviceFactory)
        return false;
    QString error;
    std::unique_ptr<DatasetService> service = m_serviceFactory(connection, &error);
    if (!service) {
        qCWarning(lcUi) << "could not connect to" << connection.displayName() << ":" << error;
        m_banner->showMessage(MessageBanner::Kind::Error,
                              tr("<b>Could not connect to %1.</b> %2")
                                  .arg(connection.displayName().toHtmlEscaped(), error.toHtmlEscaped()),
                              { m_connectAction });
        return false;
    }
    setService(std::move(service), connection);
    if (remember) {
        QSettings settings = userSettings();
        m_connection.save(settings);
    }
    return true;
}

std::optional<ConnectionSettings> MainWindow::rememberedConnection()
{
    QSettings settings = userSettings();
    return ConnectionSettings::load(settings);
}

void MainWindow::showConnectionDialog()
{
    if (!m_serviceFactory)
        return;
    if (m_connectionDialog) {
        m_connectionDialog->raise();
        m_connectionDialog->activateWindow();
        return;
    }
    ConnectionSettings current = m_connection;
    if (!m_hasConnection)
        current.dataDir = m_defaultDataDir;
    m_connectionDialog = new ConnectionDialog(current, m_defaultDataDir, m_secretWriter, this);
    m_connectionDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_connectionDialog, &QDialog::accepted, this, [this, dialog = m_connectionDialog] {
        connectTo(dialog->connection());
    });
    m_connectionDialog->open();
}

void MainWindow::createActions()
{
    m_connectAction = new QAction(resourceIcon("cloud"), tr("&Connect…"), this);
    m_connectAction->setToolTip(tr("Work on the embedded pipeline, Visual Layer Cloud or a server"));
    m_connectAction->setEnabled(false);
    connect(m_connectAction, &QAction::triggered, this, &MainWindow::showConnectionDialog);

    m_newDatasetAction = new QAction(resourceIcon("new-dataset"), tr("&New dataset from folder…"), this);
    m_newDatasetAction->setShortcut(QKeySequence::New);
    m_newDatasetAction->setToolTip(tr("Create a dataset from the images and videos in a folder"));
    connect(m_newDatasetAction, &QAction::triggered, this, &MainWindow::newDatasetFromFolder);

    m_refreshAction = new QAction(resourceIcon("refresh"), tr("&Refresh"), this);
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setToolTip(tr("Reload the list of datasets"));
    connect(m_refreshAction, &QAction::triggered, this, [this] {
        if (m_datasetModel)
            m_datasetModel->reload();
    });

    m_openAction = new QAction(tr("&Open dataset"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openSelectedDataset);

    m_closeTabAction = new QAction(tr("&Close dataset"), this);
    m_closeTabAction->setShortcut(QKeySequence::Close);
    connect(m_closeTabAction, &QAction::triggered, this, [this] { closeTab(m_tabs->currentIndex()); });

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::close);

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(m_connectAction);
    fileMenu->addSeparator();
    fileMenu->addAction(m_newDatasetAction);
    fileMenu->addAction(m_openAction);
    fileMenu->addAction(m_closeTabAction);
    fileMenu->addSeparator();
    fileMenu->addAction(m_refreshAction);
    fileMenu->addSeparator();
    fileMenu->addAction(m_quitAction);

    // Filled from the current dataset view's actions when the tab changes.
    m_datasetMenu = menuBar()->addMenu(tr("&Dataset"));

    auto *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->setIconSize(QSize(20, 20));
    toolBar->addAction(m_connectAction);
    toolBar->addAction(m_newDatasetAction);
    toolBar->addAction(m_refreshAction);
}

QWidget *MainWindow::createDatasetPane()
{
    auto *pane = new QWidget(this);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("<b>Datasets</b>"), pane);
    layout->addWidget(title);
    m_datasetPaneConnection = new QLabel(pane);
    m_datasetPaneConnection->setWordWrap(true);
    m_datasetPaneConnection->setForegroundRole(QPalette::PlaceholderText);
    m_datasetPaneConnection->setToolTip(tr("The connection whose datasets are listed"));
    layout->addWidget(m_datasetPaneConnection);

    m_datasetList = new QListView(pane);
    m_datasetList->setItemDelegate(new DatasetListDelegate(m_datasetList));
    m_datasetList->setUniformItemSizes(true);
    m_datasetList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_datasetList->setAccessibleName(tr("Datasets"));
    m_datasetList->setMinimumWidth(240);
    title->setBuddy(m_datasetList);
    layout->addWidget(m_datasetList, 1);

    auto *newButton = new QPushButton(m_newDatasetAction->icon(), m_newDatasetAction->text(), pane);
    connect(newButton, &QPushButton::clicked, m_newDatasetAction, &QAction::trigger);
    layout->addWidget(newButton);
    return pane;
}

QWidget *MainWindow::createWelcomePage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->addStretch(1);
    auto *icon = new QLabel(page);
    icon->setPixmap(resourceIcon("accrete").pixmap(96, 96));
    icon->setAlignment(Qt::AlignCenter);
    layout->addWidget(icon);
    auto *text = new QLabel(tr("<h2>Accrete</h2><p>Open a dataset from the list with a double "
                               "click or Enter, or create one from a folder. Connect to work "
                               "on Visual Layer Cloud or a server.</p>"),
                            page);
    text->setAlignment(Qt::AlignCenter);
    text->setWordWrap(true);
    layout->addWidget(text);
    auto *button = new QPushButton(m_newDatasetAction->icon(), m_newDatasetAction->text(), page);
    connect(button, &QPushButton::clicked, m_newDatasetAction, &QAction::trigger);
    layout->addWidget(button, 0, Qt::AlignCenter);
    auto *connectButton = new QPushButton(m_connectAction->icon(), m_connectAction->text(), page);
    connectButton->setObjectName(QStringLiteral("startConnectButton"));
    connect(connectButton, &QPushButton::clicked, m_connectAction, &QAction::trigger);
    connect(m_connectAction, &QAction::enabledChanged, connectButton, &QPushButton::setEnabled);
    connectButton->setEnabled(m_connectAction->isEnabled());
    layout->addWidget(connectButton, 0, Qt::AlignCenter);
    layout->addStretch(2);
    return page;
}

DatasetView *MainWindow::datasetView(const QString &datasetId) const
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        auto *view = qobject_cast<DatasetView *>(m_tabs->widget(i));
        if (view && view->datasetId() == datasetId)
            return view;
    }
    return nullptr;
}

DatasetView *MainWindow::currentDatasetView() const
{
    return qobject_cast<DatasetView *>(m_tabs->currentWidget());
}

DatasetView *MainWindow::openDataset(const QString &datasetId)
{
    if (DatasetView *open = datasetView(datasetId)) {
        m_tabs->setCurrentWidget(open);
        return open;
    }
    if (!m_service)
        return nullptr;
    qCInfo(lcUi) << "opening dataset" << datasetId;
    auto *view = new DatasetView(m_service, datasetId, m_tabs);
    const int row = m_datasetModel->rowOf(datasetId);
    const QString title = row >= 0 ? m_datasetModel->datasetAt(row).displayName : datasetId;
    const int index = m_tabs->addTab(view, resourceIcon("dataset"), title);
    m_tabs->setCurrentIndex(index);

    connect(view, &DatasetView::datasetUpdated, this, [this, view](const DatasetInfo &dataset) {
        const int tab = m_tabs->indexOf(view);
        if (tab >= 0) {
            m_tabs->setTabText(tab, dataset.displayName.isEmpty() ? dataset.id : dataset.displayName);
            m_tabs->setTabToolTip(tab, tr("%1 (%2) on %3")
                                           .arg(dataset.displayName, statusToApiString(dataset.status),
                                                connectionName()));
            if (view == currentDatasetView())
                updateWindowTitle();
        }
    });
    connect(view, &DatasetView::datasetMissing, m_datasetModel, &DatasetListModel::reload);
    return view;
}

void MainWindow::openSelectedDataset()
{
    const QModelIndex index = m_datasetList->currentIndex();
    if (index.isValid())
        openDataset(index.data(DatasetListModel::IdRole).toString());
}

void MainWindow::closeTab(int index)
{
    auto *view = qobject_cast<DatasetView *>(m_tabs->widget(index));
    if (!view)
        return;
    m_tabs->removeTab(index);
    view->deleteLater();
}

void MainWindow::onCurrentTabChanged()
{
    updateWindowTitle();
    m_datasetMenu->clear();
    DatasetView *view = currentDatasetView();
    m_closeTabAction->setEnabled(view != nullptr);
    m_datasetMenu->setEnabled(view != nullptr);
    if (!view)
        return;
    QMenu *addMenu = m_datasetMenu->addMenu(resourceIcon("add-media"), tr("&Add media"));
    addMenu->addAction(view->addFilesAction());
    addMenu->addAction(view->addFolderAction());
    addMenu->addAction(view->addArchiveAction());
    addMenu->addAction(view->addS3Action());
    addMenu->addSeparator();
    addMenu->addAction(view->autoReindexAction());
    m_datasetMenu->addAction(view->reindexAction());
}

void MainWindow::newDatasetFromFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("New Dataset from Folder"));
    if (folder.isEmpty())
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New Dataset"), tr("Dataset &name:"),
                                               QLineEdit::Normal, QFileInfo(folder).fileName(), &ok);
    if (!ok || name.trimmed().isEmpty())
        return;
    createDatasetFromFolder(folder, name.trimmed());
}

void MainWindow::createDatasetFromFolder(const QString &folder, const QString &name)
{
    if (!m_service)
        return;
    CreateDatasetRequest request;
    request.name = name;
    request.path = QDir(folder).absolutePath();
    qCInfo(lcUi) << "creating dataset" << name << "from" << request.path;
    statusBar()->showMessage(tr("Creating dataset \"%1\"…").arg(name));
    m_service->createDataset(request)
        .then(this,
              [this](const DatasetInfo &dataset) {
                  statusBar()->showMessage(tr("Dataset \"%1\" created").arg(dataset.displayName), 4000);
                  m_datasetModel->reload();
                  openDataset(dataset.id);
              })
        .onFailed(this, [this](const ServiceError &error) {
            qCWarning(lcUi) << "creating a dataset failed:" << error.toString();
            statusBar()->clearMessage();
            m_banner->showMessage(MessageBanner::Kind::Error,
                                  serviceErrorMessage(error, FailedOperation::CreateDataset));
        });
}

void MainWindow::restoreSettings()
{
    QSettings settings = userSettings();
    settings.beginGroup(QStringLiteral("MainWindow"));
    if (settings.contains(QStringLiteral("geometry")))
        restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    settings.endGroup();
}

void MainWindow::saveSettings() const
{
    QSettings settings = userSettings();
    settings.beginGroup(QStringLiteral("MainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("splitter"), m_splitter->saveState());
    settings.endGroup();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace Accrete
