#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QPointer>

#include "core/dataset.h"

namespace Accrete {

class DatasetService;
class ServiceError;

// The datasets of one connection. Reloads on datasetListChanged and updates single rows on
// datasetChanged; a reload merges the new list into the rows so selection survives.
class DatasetListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetListModel)

public:
    enum Role {
        DatasetRole = Qt::UserRole + 1, // DatasetInfo
        IdRole,                         // QString
        StatusRole,                     // DatasetStatus
    };

    explicit DatasetListModel(DatasetService *service, QObject *parent = nullptr);

    void reload();
    bool isLoading() const { return m_loading; }
    int rowOf(const QString &datasetId) const;
    DatasetInfo datasetAt(int row) const { return m_datasets.value(row); }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void loaded();
    void loadFailed(const Accrete::ServiceError &error);

private:
    void onDatasetChanged(const Accrete::DatasetInfo &dataset);
    void merge(const QList<DatasetInfo> &datasets);

    QPointer<DatasetService> m_service;
    QList<DatasetInfo> m_datasets;
    bool m_loading = false;
    bool m_reloadAgain = false;
};

} // namespace Accrete
