#include "datasetlistmodel.h"

#include <QLocale>
#include <QSet>

#include "core/datasetservice.h"
#include "core/logging.h"
#include "core/serviceerror.h"

namespace Accrete {

DatasetListModel::DatasetListModel(DatasetService *service, QObject *parent)
    : QAbstractListModel(parent)
    , m_service(service)
{
    // A window that is not connected yet has no service and an empty list.
    if (!service)
        return;
    connect(service, &DatasetService::datasetListChanged, this, &DatasetListModel::reload);
    connect(service, &DatasetService::datasetChanged, this, &DatasetListModel::onDatasetChanged);
}

void DatasetListModel::reload()
{
    if (!m_service)
        return;
    if (m_loading) {
        // A list requested before the change may miss it; ask once more when it arrives.
        m_reloadAgain = true;
        return;
    }
    m_loading = true;
    m_service->listDatasets()
        .then(this,
              [this](const QList<DatasetInfo> &datasets) {
                  m_loading = false;
                  merge(datasets);
                  Q_EMIT loaded();
                  if (std::exchange(m_reloadAgain, false))
                      reload();
              })
        .onFailed(this, [this](const ServiceError &error) {
            m_loading = false;
            m_reloadAgain = false;
            qCWarning(lcUi) << "listing datasets failed:" << error.toString();
            Q_EMIT loadFailed(error);
        });
}

void DatasetListModel::merge(const QList<DatasetInfo> &datasets)
{
    QSet<QString> ids;
    for (const DatasetInfo &dataset : datasets)
        ids.insert(dataset.id);

    for (int row = int(m_datasets.size()) - 1; row >= 0; --row) {
        if (!ids.contains(m_datasets.at(row).id)) {
            beginRemoveRows(QModelIndex(), row, row);
            m_datasets.removeAt(row);
            endRemoveRows();
        }
    }
    for (const DatasetInfo &dataset : datasets) {
        const int row = rowOf(dataset.id);
        if (row >= 0) {
            m_datasets[row] = dataset;
            Q_EMIT dataChanged(index(row), index(row));
        } else {
            const int last = int(m_datasets.size());
            beginInsertRows(QModelIndex(), last, last);
            m_datasets.append(dataset);
            endInsertRows();
        }
    }
}

void DatasetListModel::onDatasetChanged(const DatasetInfo &dataset)
{
    const int row = rowOf(dataset.id);
    if (row < 0) {
        reload();
        return;
    }
    m_datasets[row] = dataset;
    Q_EMIT dataChanged(index(row), index(row));
}

int DatasetListModel::rowOf(const QString &datasetId) const
{
    for (int row = 0; row < m_datasets.size(); ++row) {
        if (m_datasets.at(row).id == datasetId)
            return row;
    }
    return -1;
}

int DatasetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_datasets.size());
}

QVariant DatasetListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const DatasetInfo &dataset = m_datasets.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return dataset.displayName.isEmpty() ? dataset.id : dataset.displayName;
    case Qt::ToolTipRole:
        return tr("%1\nId: %2\nStatus: %3")
            .arg(dataset.displayName, dataset.id, statusToApiString(dataset.status));
    case Qt::AccessibleDescriptionRole:
        return dataset.nImages == 1
            ? tr("%1, 1 image").arg(statusToApiString(dataset.status))
            : tr("%1, %2 images").arg(statusToApiString(dataset.status)).arg(dataset.nImages);
    case DatasetRole:
        return QVariant::fromValue(dataset);
    case IdRole:
        return dataset.id;
    case StatusRole:
        return QVariant::fromValue(dataset.status);
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> DatasetListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(DatasetRole, "dataset");
    names.insert(IdRole, "datasetId");
    names.insert(StatusRole, "status");
    return names;
}

} // namespace Accrete
