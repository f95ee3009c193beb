#include "embeddedservice.h"

#include <QDir>
#include <QStandardPaths>
#include <QtConcurrent>

#include "core/logging.h"

namespace Accrete {

// NOTE: placeholder while the catalog, store and index land; every request fails with 501.
class OperationRunner
{
};

namespace {

template<typename T>
QFuture<T> notImplemented()
{
    return QtFuture::makeExceptionalFuture<T>(
        ServiceError(501, QStringLiteral("The embedded backend is not implemented yet")));
}

} // namespace

EmbeddedService::EmbeddedService(const QString &dataDir, QObject *parent)
    : DatasetService(parent)
    , m_dataDir(QDir(dataDir).absolutePath())
{
    QDir().mkpath(m_dataDir);
}

EmbeddedService::~EmbeddedService() = default;

QString EmbeddedService::defaultDataDir()
{
    const QString fromEnvironment = qEnvironmentVariable("ACCRETE_DATA_DIR");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString EmbeddedService::connectionName() const
{
    return tr("Embedded (%1)").arg(QDir::toNativeSeparators(m_dataDir));
}

QFuture<QList<DatasetInfo>> EmbeddedService::listDatasets() { return notImplemented<QList<DatasetInfo>>(); }
QFuture<DatasetInfo> EmbeddedService::dataset(const QString &) { return notImplemented<DatasetInfo>(); }
QFuture<DatasetInfo> EmbeddedService::createDataset(const CreateDatasetRequest &) { return notImplemented<DatasetInfo>(); }
QFuture<AddMediaAccepted> EmbeddedService::addMedia(const QString &, const AddMediaRequest &) { return notImplemented<AddMediaAccepted>(); }
QFuture<void> EmbeddedService::reindex(const QString &) { return notImplemented<void>(); }
QFuture<TaskPage> EmbeddedService::tasks(const TaskQuery &) { return notImplemented<TaskPage>(); }
QFuture<TaskInfo> EmbeddedService::task(const QString &) { return notImplemented<TaskInfo>(); }
QFuture<MediaPage> EmbeddedService::media(const MediaQuery &) { return notImplemented<MediaPage>(); }
QFuture<QImage> EmbeddedService::thumbnail(const MediaItem &, const QSize &) { return notImplemented<QImage>(); }
void EmbeddedService::watchDataset(const QString &) {}
void EmbeddedService::unwatchDataset(const QString &) {}
int EmbeddedService::runningOperationCount() const { return int(m_running.size()); }
void EmbeddedService::recoverInterruptedOperations() {}
void EmbeddedService::startOperation(std::unique_ptr<OperationRunner>) {}
void EmbeddedService::finishOperation(const QString &) {}

} // namespace Accrete
