#pragma once

#include <QDialog>

#include "core/task.h"

class QLabel;
class QTreeWidget;

namespace Accrete {

// A non-modal report of one finished MEDIA_ADDITION task: what was added and each rejected
// file with its reason.
class BatchReportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchReportDialog)

public:
    explicit BatchReportDialog(QWidget *parent = nullptr);

    void setTask(const TaskInfo &task);
    const TaskInfo &task() const { return m_task; }

    // One-line summary of a finished batch: "12 images and 1 video added, 2 files rejected".
    static QString summary(const TaskInfo &task);

    QTreeWidget *rejectedList() const { return m_rejectedList; }

private:
    TaskInfo m_task;
    QLabel *m_summaryLabel = nullptr;
    QLabel *m_detailLabel = nullptr;
    QTreeWidget *m_rejectedList = nullptr;
};

} // namespace Accrete
