#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
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

} // namespace

MainWindow::MainWindow(DatasetService *service, QWidget *parent)
    : QMainWindow(parent)
    , m_service(service)
{
    setWindowTitle(tr("Accrete"));
    setWindowIcon(resourceIcon("accrete"));
    resize(1280, 800);

    m_datasetModel = new DatasetListModel(service, this);
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

    m_connectionLabel = new QLabel(service->connectionName(), this);
    m_connectionLabel->setToolTip(tr("The connection whose datasets this window shows"));
    statusBar()->addPermanentWidget(m_connectionLabel);

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::onCurrentTabChanged);
    connect(m_datasetList, &QListView::activated, this, &MainWindow::openSelectedDataset);
    connect(m_datasetModel, &DatasetListModel::loadFailed, this, [this](const ServiceError &error) {
        m_banner->showMessage(MessageBanner::Kind::Error,
                              serviceErrorMessage(error, FailedOperation::ListDatasets),
                              { m_refreshAction });
    });
    connect(m_datasetModel, &DatasetListModel::loaded, this, [this] {
        statusBar()->showMessage((m_datasetModel->rowCount() == 1 ? tr("%1 dataset") : tr("%1 datasets")).arg(m_datasetModel->rowCount()), 4000);
        if (!m_datasetList->currentIndex().isValid() && m_datasetModel->rowCount() > 0)
            m_datasetList->setCurrentIndex(m_datasetModel->index(0));
    });

    restoreSettings();
    m_datasetModel->reload();
    onCurrentTabChanged();
}

void MainWindow::createActions()
{
    m_newDatasetAction = new QAction(resourceIcon("new-dataset"), tr("&New dataset from folder…"), this);
    m_newDatasetAction->setShortcut(QKeySequence::New);
    m_newDatasetAction->setToolTip(tr("Create a dataset from the images and videos in a folder"));
    connect(m_newDatasetAction, &QAction::triggered, this, &MainWindow::newDatasetFromFolder);

    m_refreshAction = new QAction(resourceIcon("refresh"), tr("&Refresh"), this);
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setToolTip(tr("Reload the list of datasets"));
    connect(m_refreshAction, &QAction::triggered, m_datasetModel, &DatasetListModel::reload);

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

    m_datasetList = new QListView(pane);
    m_datasetList->setModel(m_datasetModel);
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
                               "click or Enter, or create one from a folder.</p>"),
                            page);
    text->setAlignment(Qt::AlignCenter);
    text->setWordWrap(true);
    layout->addWidget(text);
    auto *button = new QPushButton(m_newDatasetAction->icon(), m_newDatasetAction->text(), page);
    connect(button, &QPushButton::clicked, m_newDatasetAction, &QAction::trigger);
    layout->addWidget(button, 0, Qt::AlignCenter);
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
            m_tabs->setTabToolTip(tab, tr("%1 (%2)").arg(dataset.displayName,
                                                         statusToApiString(dataset.status)));
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
    QSettings settings(QSettings::UserScope, QStringLiteral("accrete"), QStringLiteral("accrete"));
    settings.beginGroup(QStringLiteral("MainWindow"));
    if (settings.contains(QStringLiteral("geometry")))
        restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    settings.endGroup();
}

void MainWindow::saveSettings() const
{
    QSettings settings(QSettings::UserScope, QStringLiteral("accrete"), QStringLiteral("accrete"));
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
