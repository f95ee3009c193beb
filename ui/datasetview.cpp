#include "datasetview.h"

#include <QAction>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QKeySequence>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include "batchreportdialog.h"
#include "core/datasetservice.h"
#include "core/logging.h"
#include "core/serviceerror.h"
#include "dropoverlay.h"
#include "mediagriddelegate.h"
#include "mediagridmodel.h"
#include "messagebanner.h"
#include "s3pathdialog.h"
#include "statusbadge.h"
#include "statuspanel.h"

namespace Accrete {

namespace {

QIcon resourceIcon(const char *name)
{
    return QIcon(QStringLiteral(":/accrete/icons/%1.svg").arg(QLatin1String(name)));
}

} // namespace

DatasetView::DatasetView(DatasetService *service, const QString &datasetId, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_datasetId(datasetId)
{
    setAcceptDrops(true);
    setAccessibleName(tr("Dataset %1").arg(datasetId));
    createActions();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);

    m_banner = new MessageBanner(this);
    layout->addWidget(m_banner);
    layout->addWidget(createToolBar());

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("datasetSplitter"));
    splitter->setChildrenCollapsible(false);

    m_model = new MediaGridModel(service, datasetId, this);
    m_delegate = new MediaGridDelegate(this);
    m_grid = new QListView(splitter);
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setMovement(QListView::Static);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setUniformItemSizes(true);
    m_grid->setLayoutMode(QListView::Batched);
    m_grid->setBatchSize(200);
    m_grid->setSpacing(4);
    m_grid->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_grid->setDragDropMode(QAbstractItemView::NoDragDrop);
    m_grid->setAcceptDrops(false);
    m_grid->viewport()->setAcceptDrops(false);
    m_grid->setMouseTracking(true);
    m_grid->setItemDelegate(m_delegate);
    m_grid->setModel(m_model);
    m_grid->setAccessibleName(tr("Media"));
    m_grid->setMinimumWidth(320);
    splitter->addWidget(m_grid);

    m_statusPanel = new StatusPanel(splitter);
    m_statusPanel->setMinimumWidth(250);
    m_statusPanel->setMaximumWidth(420);
    splitter->addWidget(m_statusPanel);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({ 800, 290 });
    layout->addWidget(splitter, 1);

    m_dropOverlay = new DropOverlay(this);
    m_dropOverlay->setHint(tr("Drop files, folders or one archive to add them as one batch"));

    m_reportDialog = new BatchReportDialog(this);

    connect(m_statusPanel, &StatusPanel::reindexRequested, this, &DatasetView::reindexNow);
    connect(m_statusPanel, &StatusPanel::batchReportRequested, this, &DatasetView::showBatchReport);
    connect(m_statusPanel, &StatusPanel::uploadCancelRequested, this, [this] {
        qCInfo(lcUi) << "upload to dataset" << m_datasetId << "cancelled by the user";
        if (DatasetService *current = m_service.data())
            current->cancelUploads(m_datasetId);
    });
    connect(m_model, &MediaGridModel::pageLoaded, this, &DatasetView::updateGridSummary);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &DatasetView::updateGridSummary);
    connect(m_model, &QAbstractItemModel::modelReset, this, &DatasetView::updateGridSummary);
    connect(m_model, &MediaGridModel::loadFailed, this, [this](const QString &message) {
        m_banner->showMessage(MessageBanner::Kind::Error,
                              tr("<b>Could not load the media.</b> %1").arg(message.toHtmlEscaped()));
    });

    connect(service, &DatasetService::datasetChanged, this, &DatasetView::onDatasetChanged);
    connect(service, &DatasetService::taskChanged, this, &DatasetView::onTaskChanged);
    connect(service, &DatasetService::watchFailed, this,
            [this](const QString &id, const ServiceError &error) {
                if (id != m_datasetId)
                    return;
                m_watchFailing = true;
                showServiceError(error, FailedOperation::OpenDataset);
            });
    connect(service, &DatasetService::uploadProgress, this,
            [this](const QString &id, qint64 bytesSent, qint64 bytesTotal) {
                if (id == m_datasetId && m_requestRunning)
                    m_statusPanel->setUploadProgress(bytesSent, bytesTotal);
            });

    service->watchDataset(datasetId);
    service->dataset(datasetId)
        .then(this,
              [this](const DatasetInfo &dataset) {
                  // A datasetChanged that arrived first is newer than this result.
                  if (!hasDataset())
                      onDatasetChanged(dataset);
              })
        .onFailed(this, [this](const ServiceError &error) {
            showServiceError(error, FailedOperation::OpenDataset);
            if (error.code() == 404)
                Q_EMIT datasetMissing(m_datasetId);
            Q_EMIT datasetOpenFailed(m_datasetId, error);
        })
        .onFailed(this, [this] {
            // Backends fail with ServiceError, but any other exception must also end the wait.
            const ServiceError error(0, tr("The dataset could not be read."));
            showServiceError(error, FailedOperation::OpenDataset);
            Q_EMIT datasetOpenFailed(m_datasetId, error);
        });
    loadLastBatch();
    m_model->reload();
    updateActions();
}

DatasetView::~DatasetView()
{
    if (DatasetService *service = m_service.data())
        service->unwatchDataset(m_datasetId);
}

void DatasetView::createActions()
{
    m_addFilesAction = new QAction(resourceIcon("file"), tr("&Files…"), this);
    m_addFilesAction->setToolTip(tr("Add image and video files as one batch"));
    m_addFilesAction->setShortcut(QKeySequence(tr("Ctrl+Shift+F")));
    m_addFolderAction = new QAction(resourceIcon("folder"), tr("F&older…"), this);
    m_addFolderAction->setToolTip(tr("Add every image and video in a folder and its subfolders"));
    m_addFolderAction->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    m_addArchiveAction = new QAction(resourceIcon("archive"), tr("&Archive…"), this);
    m_addArchiveAction->setToolTip(tr("Add the media in a .zip, .tar or .tar.gz archive"));
    m_addS3Action = new QAction(resourceIcon("cloud"), tr("&S3 path…"), this);
    m_addS3Action->setToolTip(tr("Add the media in an S3 folder or listed in an S3 manifest"));
    m_autoReindexAction = new QAction(tr("&Reindex automatically"), this);
    m_autoReindexAction->setCheckable(true);
    m_autoReindexAction->setToolTip(tr("Run a full reindex after each batch is added"));
    m_reindexAction = new QAction(resourceIcon("reindex"), tr("Reindex &now"), this);
    m_reindexAction->setShortcut(QKeySequence(tr("Ctrl+R")));
    m_retryAction = new QAction(resourceIcon("retry"), tr("&Retry"), this);
    m_retryAction->setToolTip(tr("Send the rejected batch again"));
    m_reportAction = new QAction(tr("&Details…"), this);

    for (QAction *action : { m_addFilesAction, m_addFolderAction, m_addArchiveAction, m_addS3Action,
                             m_reindexAction })
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addActions({ m_addFilesAction, m_addFolderAction, m_addArchiveAction, m_addS3Action,
                 m_reindexAction });

    connect(m_addFilesAction, &QAction::triggered, this, &DatasetView::addFiles);
    connect(m_addFolderAction, &QAction::triggered, this, &DatasetView::addFolder);
    connect(m_addArchiveAction, &QAction::triggered, this, &DatasetView::addArchive);
    connect(m_addS3Action, &QAction::triggered, this, &DatasetView::addS3Path);
    connect(m_reindexAction, &QAction::triggered, this, &DatasetView::reindexNow);
    connect(m_retryAction, &QAction::triggered, this, &DatasetView::retryLastRequest);
    connect(m_reportAction, &QAction::triggered, this, &DatasetView::showBatchReport);
}

QWidget *DatasetView::createToolBar()
{
    auto *bar = new QWidget(this);
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *menu = new QMenu(bar);
    menu->addAction(m_addFilesAction);
    menu->addAction(m_addFolderAction);
    menu->addAction(m_addArchiveAction);
    menu->addAction(m_addS3Action);
    menu->addSeparator();
    menu->addAction(m_autoReindexAction);

    m_addButton = new QToolButton(bar);
    m_addButton->setText(tr("&Add media"));
    m_addButton->setIcon(resourceIcon("add-media"));
    m_addButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_addButton->setPopupMode(QToolButton::InstantPopup);
    m_addButton->setMenu(menu);
    m_addButton->setToolTip(tr("Add files, a folder, an archive or an S3 path as one batch. "
                               "You can also drop files, folders or an archive on this view."));
    layout->addWidget(m_addButton);

    auto *reindexButton = new QToolButton(bar);
    reindexButton->setDefaultAction(m_reindexAction);
    reindexButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    layout->addWidget(reindexButton);

    layout->addSpacing(12);
    m_gridSummary = new QLabel(bar);
    m_gridSummary->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_gridSummary, 1);

    auto *sortLabel = new QLabel(tr("S&ort by:"), bar);
    m_sortBox = new QComboBox(bar);
    m_sortBox->addItem(tr("Date added"), int(MediaSort::Added));
    m_sortBox->addItem(tr("Cluster"), int(MediaSort::Cluster));
    m_sortBox->addItem(tr("Duplicate group"), int(MediaSort::DuplicateGroup));
    m_sortBox->addItem(tr("Outlier score"), int(MediaSort::OutlierScore));
    sortLabel->setBuddy(m_sortBox);
    layout->addWidget(sortLabel);
    layout->addWidget(m_sortBox);
    connect(m_sortBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_model->setSort(static_cast<MediaSort>(m_sortBox->itemData(index).toInt()));
    });

    auto *sizeLabel = new QLabel(tr("&Size:"), bar);
    m_sizeBox = new QComboBox(bar);
    m_sizeBox->addItem(tr("Small"), 96);
    m_sizeBox->addItem(tr("Medium"), 144);
    m_sizeBox->addItem(tr("Large"), 208);
    m_sizeBox->setCurrentIndex(1);
    sizeLabel->setBuddy(m_sizeBox);
    layout->addWidget(sizeLabel);
    layout->addWidget(m_sizeBox);
    const auto applySize = [this] {
        const int edge = m_sizeBox->currentData().toInt();
        m_delegate->setThumbnailSize(QSize(edge, edge));
        m_model->setThumbnailSize(QSize(edge, edge));
        m_grid->doItemsLayout();
    };
    connect(m_sizeBox, &QComboBox::currentIndexChanged, this, applySize);
    QMetaObject::invokeMethod(this, applySize, Qt::QueuedConnection);
    return bar;
}

bool DatasetView::autoReindex() const
{
    return m_autoReindexAction->isChecked();
}

void DatasetView::setAutoReindex(bool autoReindex)
{
    m_autoReindexAction->setChecked(autoReindex);
}

void DatasetView::onDatasetChanged(const DatasetInfo &dataset)
{
    if (dataset.id != m_datasetId)
        return;
    applyDataset(dataset);
    // The connection is back: a batch may have finished while the reports were missing.
    if (m_watchFailing) {
        m_watchFailing = false;
        loadLastBatch();
    }
}

void DatasetView::applyDataset(const DatasetInfo &dataset)
{
    // Remote backends report changes only while watched: keep watching a busy dataset, also
    // one that another client made busy. The call does nothing when a watch runs.
    DatasetService *service = m_service.data();
    if (service && isBusyStatus(dataset.status))
        service->watchDataset(m_datasetId);
    m_dataset = dataset;
    m_statusPanel->setDataset(dataset);
    updateActions();
    updateGridSummary();
    Q_EMIT datasetUpdated(dataset);
}

void DatasetView::onTaskChanged(const TaskInfo &task)
{
    if (task.datasetId != m_datasetId || task.type != TaskType::MediaAddition
        || !isFinalTaskStatus(task.status))
        return;
    setLastBatch(task);
    qCInfo(lcUi) << "batch" << task.taskId << "of dataset" << m_datasetId << "ended with"
                 << taskStatusToApiString(task.status);

    const bool problems = task.status != TaskStatus::Completed || !task.result.rejected.isEmpty();
    if (problems) {
        QString text = QStringLiteral("<b>%1</b>").arg(BatchReportDialog::summary(task).toHtmlEscaped());
        if (!task.errorMessage.isEmpty())
            text += QStringLiteral("<br>") + task.errorMessage.toHtmlEscaped();
        m_banner->showMessage(task.status == TaskStatus::Completed ? MessageBanner::Kind::Warning
                                                                   : MessageBanner::Kind::Error,
                              text, { m_reportAction });
    }
}

void DatasetView::setLastBatch(const TaskInfo &task)
{
    m_lastBatch = task;
    m_statusPanel->setLastBatch(task);
    m_reportDialog->setTask(task);
}

void DatasetView::loadLastBatch()
{
    DatasetService *service = m_service.data();
    if (!service)
        return;
    TaskQuery query;
    query.datasetId = m_datasetId;
    query.type = TaskType::MediaAddition;
    query.sortBy = QStringLiteral("start_time");
    query.ascending = false;
    query.page = 1;
    query.pageSize = 5;
    service->tasks(query)
        .then(this,
              [this](const TaskPage &page) {
                  if (page.tasks.isEmpty())
                      return;
                  const TaskInfo &newest = page.tasks.first();
                  if ((!newest.datasetId.isEmpty() && newest.datasetId != m_datasetId)
                      || newest.type != TaskType::MediaAddition
                      || !isFinalTaskStatus(newest.status))
                      return;
                  // A batch reported live while the request ran is at least as new.
                  if (m_lastBatch
                      && (m_lastBatch->taskId == newest.taskId
                          || m_lastBatch->startTime > newest.startTime))
                      return;
                  setLastBatch(newest);
              })
        .onFailed(this, [this](const ServiceError &error) {
            // The panel keeps its placeholder, because the dataset request reports its own errors.
            qCWarning(lcUi) << "last batch of dataset" << m_datasetId
                            << "could not be loaded:" << error.toString();
        });
}

void DatasetView::showBatchReport()
{
    if (!m_lastBatch)
        return;
    m_reportDialog->show();
    m_reportDialog->raise();
    m_reportDialog->activateWindow();
}

void DatasetView::updateActions()
{
    const bool known = hasDataset();
    // Adding is offered whenever the dataset is known: the service decides and a rejection
    // is explained in the banner, with the dropped files kept for Retry.
    for (QAction *action : { m_addFilesAction, m_addFolderAction, m_addArchiveAction, m_addS3Action })
        action->setEnabled(known);
    m_reindexAction->setEnabled(known && m_dataset.status == DatasetStatus::PartialIndex);
    m_retryAction->setEnabled(m_retryRequest.has_value() && !m_requestRunning);
}

void DatasetView::updateGridSummary()
{
    const QLocale locale;
    const int loadedRows = m_model->rowCount();
    const int total = qMax(m_model->totalCount(), loadedRows);
    QString text = loadedRows == total ? (total == 1 ? tr("%1 item") : tr("%1 items")).arg(total)
                                  : tr("%1 of %2 items loaded").arg(locale.toString(loadedRows),
                                                                    locale.toString(total));
    if (m_dataset.nPendingItems > 0)
        text += tr(", %1 not clustered yet").arg(m_dataset.nPendingItems);
    m_gridSummary->setText(text);
}

AddMediaRequest DatasetView::requestForLocalPaths(const QStringList &paths, bool autoReindex)
{
    AddMediaRequest request;
    request.autoReindex = autoReindex;
    if (paths.size() == 1) {
        const QFileInfo info(paths.first());
        if (info.isFile() && hasArchiveExtension(info.fileName())) {
            request.archive = info.absoluteFilePath();
            return request;
        }
    }
    for (const QString &path : paths)
        request.files.append(QFileInfo(path).absoluteFilePath());
    return request;
}

void DatasetView::addMedia(const AddMediaRequest &request)
{
    if (!m_service)
        return;
    if (const auto invalid = request.validate()) {
        showServiceError(*invalid, FailedOperation::AddMedia);
        return;
    }
    m_requestRunning = true;
    updateActions();
    qCInfo(lcUi) << "adding media to dataset" << m_datasetId << ":" << request.files.size()
                 << "paths, archive" << !request.archive.isEmpty() << ", S3" << !request.s3Uri.isEmpty()
                 << ", auto reindex" << request.autoReindex;

    m_service->addMedia(m_datasetId, request)
        .then(this,
              [this](const AddMediaAccepted &accepted) {
                  m_requestRunning = false;
                  m_statusPanel->clearUploadProgress();
                  m_lastTaskId = accepted.taskId;
                  // Remote backends stop polling at a settled status, so watch the new run.
                  if (m_service)
                      m_service->watchDataset(m_datasetId);
                  m_retryRequest.reset();
                  // An earlier rejection no longer applies once a batch is accepted.
                  if (m_banner->kind() == MessageBanner::Kind::Error)
                      m_banner->dismiss();
                  updateActions();
              })
        .onFailed(this, [this, request](const ServiceError &error) {
            m_requestRunning = false;
            m_statusPanel->clearUploadProgress();
            qCWarning(lcUi) << "add media to dataset" << m_datasetId << "rejected:" << error.toString();
            showServiceError(error, FailedOperation::AddMedia,
                             error.code() == 409 || error.code() == 0
                                 ? std::optional<AddMediaRequest>(request)
                                 : std::nullopt);
        });
}

void DatasetView::reindexNow()
{
    if (!m_service)
        return;
    qCInfo(lcUi) << "reindex of dataset" << m_datasetId << "requested";
    // Disabled until the service reports the next status, so one click sends one request.
    m_statusPanel->reindexButton()->setEnabled(false);
    m_reindexAction->setEnabled(false);
    m_service->reindex(m_datasetId)
        .then(this,
              [this] {
                  if (m_service)
                      m_service->watchDataset(m_datasetId);
              })
        .onFailed(this, [this](const ServiceError &error) {
            qCWarning(lcUi) << "reindex of dataset" << m_datasetId << "rejected:" << error.toString();
            showServiceError(error, FailedOperation::Reindex);
            m_statusPanel->reindexButton()->setEnabled(m_dataset.status == DatasetStatus::PartialIndex);
            updateActions();
        });
}

void DatasetView::showServiceError(const ServiceError &error, FailedOperation operation,
                                   const std::optional<AddMediaRequest> &retryRequest)
{
    m_retryRequest = retryRequest;
    updateActions();
    QList<QAction *> actions;
    QString text = serviceErrorMessage(error, operation);
    if (retryRequest) {
        const int count = int(retryRequest->files.size()) + (retryRequest->archive.isEmpty() ? 0 : 1)
            + (retryRequest->s3Uri.isEmpty() ? 0 : 1);
        text += QStringLiteral("<br>")
            + (count == 1 ? tr("%1 dropped path kept for Retry.") : tr("%1 dropped paths kept for Retry.")).arg(count).toHtmlEscaped();
        actions.append(m_retryAction);
    }
    m_banner->showMessage(MessageBanner::Kind::Error, text, actions);
}

void DatasetView::retryLastRequest()
{
    if (!m_retryRequest || m_requestRunning)
        return;
    const AddMediaRequest request = *m_retryRequest;
    addMedia(request);
}

void DatasetView::addFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add Files"), QString(),
        tr("Images and videos (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp *.heic *.heif "
           "*.mp4 *.mov *.avi *.mkv *.webm);;All files (*)"));
    if (!files.isEmpty())
        addMedia(requestForLocalPaths(files, autoReindex()));
}

void DatasetView::addFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add Folder"));
    if (!folder.isEmpty())
        addMedia(requestForLocalPaths({ folder }, autoReindex()));
}

void DatasetView::addArchive()
{
    const QString archive = QFileDialog::getOpenFileName(
        this, tr("Add Archive"), QString(),
        tr("Archives (*.zip *.tar *.tar.gz *.tgz *.tar.bz2 *.tar.xz *.7z)"));
    if (archive.isEmpty())
        return;
    AddMediaRequest request;
    request.archive = QFileInfo(archive).absoluteFilePath();
    request.autoReindex = autoReindex();
    addMedia(request);
}

void DatasetView::addS3Path()
{
    auto *dialog = new S3PathDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAutoReindex(autoReindex());
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        AddMediaRequest request;
        request.s3Uri = dialog->uri();
        request.autoReindex = dialog->autoReindex();
        addMedia(request);
    });
    dialog->open();
}

QStringList DatasetView::localPathsOf(const QMimeData *mimeData)
{
    QStringList paths;
    if (!mimeData || !mimeData->hasUrls())
        return paths;
    for (const QUrl &url : mimeData->urls()) {
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    }
    return paths;
}

void DatasetView::dragEnterEvent(QDragEnterEvent *event)
{
    if (localPathsOf(event->mimeData()).isEmpty() || !hasDataset()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    m_dropOverlay->raise();
    m_dropOverlay->show();
}

void DatasetView::dragMoveEvent(QDragMoveEvent *event)
{
    if (localPathsOf(event->mimeData()).isEmpty() || !hasDataset()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
}

void DatasetView::dragLeaveEvent(QDragLeaveEvent *event)
{
    m_dropOverlay->hide();
    event->accept();
}

void DatasetView::dropEvent(QDropEvent *event)
{
    m_dropOverlay->hide();
    const QStringList paths = localPathsOf(event->mimeData());
    if (paths.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    addMedia(requestForLocalPaths(paths, autoReindex()));
}

} // namespace Accrete
