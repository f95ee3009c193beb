#include "datasetlistdelegate.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>

#include "core/dataset.h"
#include "datasetlistmodel.h"
#include "statusbadge.h"

namespace Accrete {

namespace {
constexpr int kPadding = 8;
constexpr int kLineGap = 2;
} // namespace

DatasetListDelegate::DatasetListDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

QString DatasetListDelegate::countsText(const QVariant &datasetValue)
{
    const auto dataset = datasetValue.value<DatasetInfo>();
    QStringList parts{ (dataset.nImages == 1 ? tr("%1 image") : tr("%1 images")).arg(dataset.nImages) };
    if (dataset.nVideos > 0)
        parts << (dataset.nVideos == 1 ? tr("%1 video") : tr("%1 videos")).arg(dataset.nVideos);
    if (dataset.nClusters > 0)
        parts << (dataset.nClusters == 1 ? tr("%1 cluster") : tr("%1 clusters")).arg(dataset.nClusters);
    if (dataset.nPendingItems > 0)
        parts << tr("%1 not clustered").arg(dataset.nPendingItems);
    return parts.join(QStringLiteral(" · "));
}

QSize DatasetListDelegate::sizeHint(const QStyleOptionViewItem &option,
                                    const QModelIndex & /*index*/) const
{
    const int height = 2 * option.fontMetrics.height() + kLineGap + 2 * kPadding;
    return QSize(260, height);
}

void DatasetListDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                const QModelIndex &index) const
{
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    background.icon = QIcon();
    const QStyle *style = option.widget ? option.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, option.widget);

    const auto dataset = index.data(DatasetListModel::DatasetRole).value<DatasetInfo>();
    const bool selected = option.state & QStyle::State_Selected;
    const QRect content = option.rect.adjusted(kPadding, kPadding, -kPadding, -kPadding);

    painter->save();
    const QSize badgeSize = StatusBadge::badgeSize(option.font, dataset.status);
    const QPoint badgeTopLeft(content.right() - badgeSize.width(),
                              content.top() + (option.fontMetrics.height() - badgeSize.height()) / 2);
    StatusBadge::paintBadge(painter, badgeTopLeft, option.font, dataset.status);

    QFont nameFont = option.font;
    nameFont.setBold(true);
    painter->setFont(nameFont);
    painter->setPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
    const QRect nameRect(content.left(), content.top(), content.width() - badgeSize.width() - kPadding,
                         option.fontMetrics.height());
    painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(nameFont).elidedText(index.data(Qt::DisplayRole).toString(),
                                                        Qt::ElideRight, nameRect.width()));

    painter->setFont(option.font);
    QColor secondary = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    secondary.setAlpha(170);
    painter->setPen(secondary);
    const QRect countsRect(content.left(), nameRect.bottom() + kLineGap, content.width(),
                           option.fontMetrics.height());
    painter->drawText(countsRect, Qt::AlignLeft | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(countsText(QVariant::fromValue(dataset)),
                                                    Qt::ElideRight, countsRect.width()));
    painter->restore();
}

} // namespace Accrete
