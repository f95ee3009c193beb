#include "batchreportdialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Accrete {

BatchReportDialog::BatchReportDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Batch Report"));
    setModal(false);
    resize(560, 380);

    auto *layout = new QVBoxLayout(this);
    m_summaryLabel = new QLabel(this);
    QFont summaryFont = m_summaryLabel->font();
    summaryFont.setBold(true);
    m_summaryLabel->setFont(summaryFont);
    m_summaryLabel->setWordWrap(true);
    layout->addWidget(m_summaryLabel);

    m_detailLabel = new QLabel(this);
    m_detailLabel->setWordWrap(true);
    m_detailLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_detailLabel);

    m_rejectedList = new QTreeWidget(this);
    m_rejectedList->setColumnCount(2);
    m_rejectedList->setHeaderLabels({ tr("Rejected file"), tr("Reason") });
    m_rejectedList->setRootIsDecorated(false);
    m_rejectedList->setAlternatingRowColors(true);
    m_rejectedList->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_rejectedList->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_rejectedList->setAccessibleName(tr("Rejected files"));
    layout->addWidget(m_rejectedList, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &BatchReportDialog::close);
    layout->addWidget(buttons);
}

QString BatchReportDialog::summary(const TaskInfo &task)
{
    const TaskResult &result = task.result;
    const int rejected = int(result.rejected.size());
    QStringList parts;
    parts << (result.addedImages == 1 ? tr("1 image added") : tr("%1 images added").arg(result.addedImages));
    if (result.addedVideos > 0)
        parts << (result.addedVideos == 1 ? tr("1 video added") : tr("%1 videos added").arg(result.addedVideos));
    if (result.skippedDuplicates > 0)
        parts << (result.skippedDuplicates == 1 ? tr("1 duplicate file skipped")
                                                : tr("%1 duplicate files skipped").arg(result.skippedDuplicates));
    if (rejected > 0)
        parts << (rejected == 1 ? tr("1 file rejected") : tr("%1 files rejected").arg(rejected));
    const QString text = parts.join(QLatin1String(", "));
    if (task.status == TaskStatus::Failed)
        return tr("Batch failed: %1").arg(text);
    return text;
}

void BatchReportDialog::setTask(const TaskInfo &task)
{
    m_task = task;
    m_summaryLabel->setText(summary(task));

    QStringList details;
    details << tr("Task %1 (%2), ended %3")
                   .arg(task.taskId, taskStatusToApiString(task.status),
                        QLocale().toString(task.endTime.toLocalTime(), QLocale::ShortFormat));
    if (!task.errorMessage.isEmpty())
        details << tr("Error: %1").arg(task.errorMessage);
    m_detailLabel->setText(details.join(QLatin1Char('\n')));

    m_rejectedList->clear();
    for (const RejectedItem &item : task.result.rejected) {
        auto *row = new QTreeWidgetItem(m_rejectedList, { item.path, item.reason });
        row->setToolTip(0, item.path);
    }
    m_rejectedList->setVisible(!task.result.rejected.isEmpty());
}

} // namespace Accrete
