#include "uploadcleaner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "core/datasetservice.h"
#include "core/logging.h"

namespace Accrete {

namespace {

// Name of the marker file that stores the task id inside a tracked upload folder.
const QString taskMarkerName = QStringLiteral(".accrete-task");

bool removeFolderNow(const QString &folder)
{
    if (QDir(folder).removeRecursively())
        return true;
    qCWarning(lcServer) << "Could not remove the upload folder" << folder;
    return false;
}

} // namespace

UploadCleaner::UploadCleaner(DatasetService *service, QString uploadDir, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_uploadDir(std::move(uploadDir))
{
    connect(m_service, &DatasetService::taskChanged, this, &UploadCleaner::onTaskChanged);
}

void UploadCleaner::track(const QString &taskId, const QString &folder)
{
    if (folder.isEmpty())
        return;
    if (taskId.isEmpty()) {
        removeFolderNow(folder);
        return;
    }

    QFile marker(QDir(folder).filePath(taskMarkerName));
    if (!marker.open(QIODevice::WriteOnly | QIODevice::Truncate) || marker.write(taskId.toUtf8()) < 0) {
        qCWarning(lcServer) << "Could not write the task marker of upload folder" << folder
                            << "for task" << taskId << ":" << marker.errorString();
    }
    marker.close();

    m_folders.insert(taskId, folder);
    // The task may have ended before this call: ask for its current state once.
    checkTask(taskId);
}

void UploadCleaner::adoptLeftovers()
{
    const QDir root(m_uploadDir);
    const QStringList folders = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QString &name : folders) {
        const QString folder = root.filePath(name);
        QFile marker(QDir(folder).filePath(taskMarkerName));
        if (!marker.open(QIODevice::ReadOnly)) {
            qCInfo(lcServer) << "Removing the upload folder of a request that was never accepted:"
                             << folder;
            removeFolderNow(folder);
            continue;
        }
        const QString taskId = QString::fromUtf8(marker.read(256)).trimmed();
        marker.close();
        if (taskId.isEmpty()) {
            removeFolderNow(folder);
            continue;
        }
        m_folders.insert(taskId, folder);
        checkTask(taskId);
    }
}

void UploadCleaner::checkTask(const QString &taskId)
{
    m_service->task(taskId)
        .then(this,
              [this, taskId](const TaskInfo &task) {
                  if (isFinalTaskStatus(task.status))
                      removeFolder(taskId);
              })
        .onFailed(this, [this, taskId](const ServiceError &error) {
            // A task the service does not know will never report its end.
            if (error.code() == 404)
                removeFolder(taskId);
            else
                qCWarning(lcServer) << "Could not read task" << taskId << ":" << error.toString();
        });
}

void UploadCleaner::onTaskChanged(const TaskInfo &task)
{
    if (isFinalTaskStatus(task.status))
        removeFolder(task.taskId);
}

void UploadCleaner::removeFolder(const QString &taskId)
{
    const auto it = m_folders.constFind(taskId);
    if (it == m_folders.constEnd())
        return;
    const QString folder = it.value();
    m_folders.erase(it);
    if (removeFolderNow(folder))
        qCDebug(lcServer) << "Removed the uploaded copies of task" << taskId;
}

} // namespace Accrete
