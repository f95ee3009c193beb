#include "statuspanel.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "batchreportdialog.h"
#include "statusbadge.h"

namespace Accrete {

namespace {

QString statusHint(DatasetStatus status)
{
    switch (status) {
    case DatasetStatus::Draft:
        return StatusPanel::tr("Waiting for its first index.");
    case DatasetStatus::Indexing:
        return StatusPanel::tr("Building the index, clusters and duplicate groups.");
    case DatasetStatus::ReadOnly:
        return StatusPanel::tr("Processing a batch. Adding media and reindexing wait until it ends.");
    case DatasetStatus::PartialIndex:
        return StatusPanel::tr("New media is visible but not clustered yet. Reindex to include it.");
    case DatasetStatus::Ready:
        return StatusPanel::tr("Fully indexed.");
    case DatasetStatus::Error:
        return StatusPanel::tr("The last operation failed.");
    }
    return QString();
}

} // namespace

StatusPanel::StatusPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->setSpacing(10);

    // Status: badge, hint, progress, Reindex now.
    auto *statusBox = new QGroupBox(tr("Status"), this);
    auto *statusLayout = new QVBoxLayout(statusBox);
    auto *badgeRow = new QHBoxLayout;
    m_badge = new StatusBadge(statusBox);
    badgeRow->addWidget(m_badge);
    m_nameLabel = new QLabel(statusBox);
    m_nameLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    badgeRow->addWidget(m_nameLabel, 1);
    statusLayout->addLayout(badgeRow);

    m_statusHint = new QLabel(statusBox);
    m_statusHint->setWordWrap(true);
    m_statusHint->setForegroundRole(QPalette::PlaceholderText);
    statusLayout->addWidget(m_statusHint);

    m_progress = new QProgressBar(statusBox);
    m_progress->setRange(0, 100);
    m_progress->setTextVisible(true);
    m_progress->setAccessibleName(tr("Progress of the running operation"));
    statusLayout->addWidget(m_progress);

    m_cancelUploadButton = new QPushButton(tr("&Cancel upload"), statusBox);
    m_cancelUploadButton->setToolTip(tr("Stop sending the files of this batch. Files the server "
                                        "already received may still be added."));
    m_cancelUploadButton->hide();
    statusLayout->addWidget(m_cancelUploadButton, 0, Qt::AlignRight);
    connect(m_cancelUploadButton, &QPushButton::clicked, this, &StatusPanel::uploadCancelRequested);

    m_errorLabel = new QLabel(statusBox);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_errorLabel->hide();
    statusLayout->addWidget(m_errorLabel);

    m_reindexButton = new QPushButton(QIcon(QStringLiteral(":/accrete/icons/reindex.svg")),
                                      tr("&Reindex now"), statusBox);
    m_reindexButton->setToolTip(tr("Rebuild clusters, duplicate groups and outlier scores over "
                                   "every item. Possible in PARTIAL INDEX only."));
    m_reindexButton->setEnabled(false);
    statusLayout->addWidget(m_reindexButton);
    connect(m_reindexButton, &QPushButton::clicked, this, &StatusPanel::reindexRequested);
    layout->addWidget(statusBox);

    // Counts.
    auto *countsBox = new QGroupBox(tr("Contents"), this);
    auto *form = new QFormLayout(countsBox);
    form->setLabelAlignment(Qt::AlignLeft);
    m_imagesLabel = addCount(form, tr("Images:"));
    m_videosLabel = addCount(form, tr("Videos:"));
    m_clustersLabel = addCount(form, tr("Clusters:"));
    m_duplicatesLabel = addCount(form, tr("Duplicate groups:"));
    m_pendingLabel = addCount(form, tr("Not clustered yet:"));
    layout->addWidget(countsBox);

    // Last batch.
    auto *batchBox = new QGroupBox(tr("Last batch"), this);
    auto *batchLayout = new QVBoxLayout(batchBox);
    m_batchLabel = new QLabel(tr("No batch finished since the dataset was opened."), batchBox);
    m_batchLabel->setWordWrap(true);
    batchLayout->addWidget(m_batchLabel);
    m_batchReportButton = new QPushButton(tr("Show &report…"), batchBox);
    m_batchReportButton->setEnabled(false);
    batchLayout->addWidget(m_batchReportButton, 0, Qt::AlignLeft);
    connect(m_batchReportButton, &QPushButton::clicked, this, &StatusPanel::batchReportRequested);
    layout->addWidget(batchBox);

    // Timeline.
    auto *timelineBox = new QGroupBox(tr("Timeline"), this);
    auto *timelineLayout = new QVBoxLayout(timelineBox);
    m_timeline = new QTreeWidget(timelineBox);
    m_timeline->setColumnCount(2);
    m_timeline->setHeaderLabels({ tr("Time"), tr("Status") });
    m_timeline->setRootIsDecorated(false);
    m_timeline->setUniformRowHeights(true);
    m_timeline->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_timeline->header()->setStretchLastSection(true);
    m_timeline->setAccessibleName(tr("Status timeline"));
    m_timeline->setMinimumHeight(120);
    timelineLayout->addWidget(m_timeline);
    layout->addWidget(timelineBox, 1);
}

QLabel *StatusPanel::addCount(QFormLayout *form, const QString &label)
{
    auto *value = new QLabel(QStringLiteral("–"), form->parentWidget());
    value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(label, value);
    return value;
}

void StatusPanel::setDataset(const DatasetInfo &dataset, const QDateTime &time)
{
    const QLocale locale;
    m_nameLabel->setText(QStringLiteral("<b>%1</b>").arg(dataset.displayName.toHtmlEscaped()));
    m_nameLabel->setToolTip(tr("Dataset id: %1").arg(dataset.id));
    m_badge->setStatus(dataset.status);
    m_statusHint->setText(statusHint(dataset.status));

    m_datasetBusy = isBusyStatus(dataset.status);
    m_datasetProgress = qBound(0, dataset.progress, 100);
    if (!m_showingUpload)
        showDatasetProgress();

    m_errorLabel->setText(dataset.fatalErrorMsg);
    m_errorLabel->setVisible(dataset.status == DatasetStatus::Error && !dataset.fatalErrorMsg.isEmpty());

    m_imagesLabel->setText(locale.toString(dataset.nImages));
    m_videosLabel->setText(locale.toString(dataset.nVideos));
    m_clustersLabel->setText(locale.toString(dataset.nClusters));
    m_duplicatesLabel->setText(locale.toString(dataset.nDuplicateGroups));
    m_pendingLabel->setText(locale.toString(dataset.nPendingItems));

    m_reindexButton->setEnabled(dataset.status == DatasetStatus::PartialIndex);

    if (!m_hasStatus || m_lastStatus != dataset.status) {
        m_hasStatus = true;
        m_lastStatus = dataset.status;
        auto *entry = new QTreeWidgetItem(
            { locale.toString(time.time(), QStringLiteral("HH:mm:ss")), statusToApiString(dataset.status) });
        entry->setToolTip(0, locale.toString(time, QLocale::LongFormat));
        entry->setForeground(1, StatusBadge::backgroundColor(dataset.status).darker(115));
        QFont font = m_timeline->font();
        font.setBold(true);
        entry->setFont(1, font);
        m_timeline->addTopLevelItem(entry);
        m_timeline->scrollToItem(entry);
    }
}

void StatusPanel::showDatasetProgress()
{
    m_progress->setRange(0, 100);
    m_progress->setValue(m_datasetProgress);
    m_progress->setEnabled(m_datasetBusy);
    // The value stays visible after an operation, and the text states that nothing runs.
    m_progress->setFormat(m_datasetBusy ? tr("%p%") : tr("No operation running"));
}

void StatusPanel::setUploadProgress(qint64 bytesSent, qint64 bytesTotal)
{
    m_showingUpload = true;
    m_cancelUploadButton->show();
    m_progress->setEnabled(true);
    if (bytesTotal <= 0) {
        m_progress->setRange(0, 0);
        m_progress->setFormat(tr("Uploading…"));
        return;
    }
    const QLocale locale;
    // Per mille, so that the range fits an int for any upload size.
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(qBound(qint64(0), bytesSent * 1000 / bytesTotal, qint64(1000))));
    m_progress->setFormat(tr("Uploading %1 of %2").arg(locale.formattedDataSize(bytesSent),
                                                       locale.formattedDataSize(bytesTotal)));
}

void StatusPanel::clearUploadProgress()
{
    if (!m_showingUpload)
        return;
    m_showingUpload = false;
    m_cancelUploadButton->hide();
    showDatasetProgress();
}

void StatusPanel::setLastBatch(const TaskInfo &task)
{
    m_batchLabel->setText(BatchReportDialog::summary(task));
    m_batchReportButton->setEnabled(true);
}

} // namespace Accrete
