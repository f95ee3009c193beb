#pragma once

#include <optional>

#include <QPointer>
#include <QWidget>

#include "core/dataset.h"
#include "core/requests.h"
#include "core/task.h"
#include "errortext.h"

class QAction;
class QComboBox;
class QLabel;
class QListView;
class QMimeData;
class QToolButton;

namespace Accrete {

class BatchReportDialog;
class DatasetService;
class DropOverlay;
class MediaGridDelegate;
class MediaGridModel;
class MessageBanner;
class ServiceError;
class StatusPanel;

// The view of one dataset: an error banner, a tool bar (Add media, sort, thumbnail size), the
// media grid and the status panel. The whole view is a drop target: one drop is one batch.
//
// Every request goes through the DatasetService given to the constructor. The view never
// blocks, and it shows every rejection in its banner, with a Retry button for a rejected drop.
class DatasetView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetView)

public:
    DatasetView(DatasetService *service, const QString &datasetId, QWidget *parent = nullptr);
    ~DatasetView() override;

    QString datasetId() const { return m_datasetId; }
    // The dataset as last reported; `status` is DRAFT and `id` empty until the first result.
    const DatasetInfo &dataset() const { return m_dataset; }
    bool hasDataset() const { return !m_dataset.id.isEmpty(); }

    // Builds the batch for the dropped or picked local paths: exactly one archive file is an
    // archive batch, anything else (files and folders, walked by the backend) a files batch.
    static AddMediaRequest requestForLocalPaths(const QStringList &paths, bool autoReindex);

    // Sends one batch. On a rejection the banner explains it; a 409 keeps the request so the
    // banner's Retry button can send it again.
    void addMedia(const AddMediaRequest &request);
    void reindexNow();

    bool autoReindex() const;
    void setAutoReindex(bool autoReindex);

    // Parts, for keyboard focus, the main window's menus and tests.
    QWidget *dropTarget() { return this; }
    QListView *grid() const { return m_grid; }
    MediaGridModel *gridModel() const { return m_model; }
    StatusPanel *statusPanel() const { return m_statusPanel; }
    MessageBanner *banner() const { return m_banner; }
    DropOverlay *dropOverlay() const { return m_dropOverlay; }
    QAction *retryAction() const { return m_retryAction; }
    QAction *addFilesAction() const { return m_addFilesAction; }
    QAction *addFolderAction() const { return m_addFolderAction; }
    QAction *addArchiveAction() const { return m_addArchiveAction; }
    QAction *addS3Action() const { return m_addS3Action; }
    QAction *autoReindexAction() const { return m_autoReindexAction; }
    QAction *reindexAction() const { return m_reindexAction; }
    BatchReportDialog *batchReportDialog() const { return m_reportDialog; }
    std::optional<TaskInfo> lastBatch() const { return m_lastBatch; }

    // Opens the non-modal report of the last finished batch, if there is one.
    void showBatchReport();

Q_SIGNALS:
    // The dataset's info changed (status, counts, name); for tab titles.
    void datasetUpdated(const Accrete::DatasetInfo &dataset);
    // The service reported that the dataset does not exist (404).
    void datasetMissing(const QString &datasetId);
    // The dataset could not be opened (404 or any other error). The banner shows the reason.
    void datasetOpenFailed(const QString &datasetId, const Accrete::ServiceError &error);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QWidget *createToolBar();
    void createActions();
    void onDatasetChanged(const Accrete::DatasetInfo &dataset);
    void onTaskChanged(const Accrete::TaskInfo &task);
    void loadLastBatch();
    void setLastBatch(const TaskInfo &task);
    void applyDataset(const DatasetInfo &dataset);
    void showServiceError(const ServiceError &error, FailedOperation operation,
                          const std::optional<AddMediaRequest> &retryRequest = std::nullopt);
    void updateActions();
    void updateGridSummary();
    void addFiles();
    void addFolder();
    void addArchive();
    void addS3Path();
    void retryLastRequest();
    static QStringList localPathsOf(const QMimeData *mimeData);

    QPointer<DatasetService> m_service;
    QString m_datasetId;
    DatasetInfo m_dataset;
    QString m_lastTaskId; // the MEDIA_ADDITION task this view started, if the backend returned its id
    std::optional<TaskInfo> m_lastBatch;
    std::optional<AddMediaRequest> m_retryRequest;
    bool m_requestRunning = false;
    bool m_watchFailing = false; // set by a failed watch, so the next dataset report reloads the last batch

    MessageBanner *m_banner = nullptr;
    QListView *m_grid = nullptr;
    MediaGridModel *m_model = nullptr;
    MediaGridDelegate *m_delegate = nullptr;
    StatusPanel *m_statusPanel = nullptr;
    DropOverlay *m_dropOverlay = nullptr;
    QComboBox *m_sortBox = nullptr;
    QComboBox *m_sizeBox = nullptr;
    QLabel *m_gridSummary = nullptr;
    QToolButton *m_addButton = nullptr;
    BatchReportDialog *m_reportDialog = nullptr;

    QAction *m_addFilesAction = nullptr;
    QAction *m_addFolderAction = nullptr;
    QAction *m_addArchiveAction = nullptr;
    QAction *m_addS3Action = nullptr;
    QAction *m_autoReindexAction = nullptr;
    QAction *m_reindexAction = nullptr;
    QAction *m_retryAction = nullptr;
    QAction *m_reportAction = nullptr;
};

} // namespace Accrete
