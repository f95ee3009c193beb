#pragma once

#include <QStyledItemDelegate>
#include <QVariant>

namespace Accrete {

// Paints a dataset row: the name, the counts and a status badge on the right.
class DatasetListDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetListDelegate)

public:
    explicit DatasetListDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // "120 images · 3 videos · 14 clusters"
    static QString countsText(const QVariant &datasetValue);
};

} // namespace Accrete
