#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include "core/task.h"

namespace Accrete {

class DatasetService;

// Removes the folders of uploaded files once the batch that reads them has ended: the
// embedded pipeline stores (hard-links or copies) the files while its MEDIA_ADDITION task
// runs, so the uploaded copies must stay until the task is final.
//
// Each tracked folder gets a marker file naming its task, so that a server started later can
// finish the cleanup (adoptLeftovers()).
//
// Thread affinity: lives in the DatasetService's thread; call it only from there.
class UploadCleaner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadCleaner)

public:
    UploadCleaner(DatasetService *service, QString uploadDir, QObject *parent = nullptr);

    // Takes over `folder`: removes it once the task `taskId` is final. An empty `taskId`
    // means the backend did not report a task and has already read the files, so the folder
    // is removed at once.
    void track(const QString &taskId, const QString &folder);

    // Handles the folders a previous server left behind: those without a marker (requests
    // that were never accepted) are removed, the others are tracked again.
    void adoptLeftovers();

    int trackedCount() const { return int(m_folders.size()); }

private:
    void checkTask(const QString &taskId);
    void onTaskChanged(const Accrete::TaskInfo &task);
    void removeFolder(const QString &taskId);

    DatasetService *m_service = nullptr;
    QString m_uploadDir;
    QHash<QString, QString> m_folders; // task id -> upload folder
};

} // namespace Accrete
