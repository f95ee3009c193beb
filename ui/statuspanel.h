#pragma once

#include <QDateTime>
#include <QWidget>

#include "core/dataset.h"
#include "core/task.h"

class QFormLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace Accrete {

class StatusBadge;

// The dataset's status at a glance: the badge, the progress of the running operation, a
// timeline of the status changes seen since the view opened, the counts and **Reindex now**.
//
// Progress is shown as information only, because the status alone marks the end of an
// operation.
class StatusPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusPanel)

public:
    explicit StatusPanel(QWidget *parent = nullptr);

    // Shows `dataset` and appends a timeline entry when its status differs from the last one.
    // `time` is when the change was seen.
    void setDataset(const DatasetInfo &dataset, const QDateTime &time = QDateTime::currentDateTime());
    // Shows the summary of the last finished batch with a button that opens its report.
    void setLastBatch(const TaskInfo &task);

    // Shows the bytes of a running upload in the progress bar, with a Cancel button, until
    // clearUploadProgress(). A `bytesTotal` of 0 shows a busy indicator.
    void setUploadProgress(qint64 bytesSent, qint64 bytesTotal);
    // Hides the Cancel button and shows the dataset's progress again.
    void clearUploadProgress();
    bool isShowingUpload() const { return m_showingUpload; }

    StatusBadge *badge() const { return m_badge; }
    QPushButton *reindexButton() const { return m_reindexButton; }
    QPushButton *batchReportButton() const { return m_batchReportButton; }
    QTreeWidget *timeline() const { return m_timeline; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *cancelUploadButton() const { return m_cancelUploadButton; }

Q_SIGNALS:
    void reindexRequested();
    void batchReportRequested();
    // The Cancel button of a running upload was clicked.
    void uploadCancelRequested();

private:
    QLabel *addCount(QFormLayout *form, const QString &label);
    void showDatasetProgress();

    StatusBadge *m_badge = nullptr;
    QLabel *m_nameLabel = nullptr;
    QLabel *m_statusHint = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_imagesLabel = nullptr;
    QLabel *m_videosLabel = nullptr;
    QLabel *m_clustersLabel = nullptr;
    QLabel *m_duplicatesLabel = nullptr;
    QLabel *m_pendingLabel = nullptr;
    QLabel *m_errorLabel = nullptr;
    QTreeWidget *m_timeline = nullptr;
    QPushButton *m_reindexButton = nullptr;
    QLabel *m_batchLabel = nullptr;
    QPushButton *m_batchReportButton = nullptr;
    QPushButton *m_cancelUploadButton = nullptr;
    bool m_showingUpload = false;
    int m_datasetProgress = 0;
    bool m_datasetBusy = false;
    bool m_hasStatus = false;
    DatasetStatus m_lastStatus = DatasetStatus::Draft;
};

} // namespace Accrete
