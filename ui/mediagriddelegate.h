#pragma once

#include <QSize>
#include <QStyledItemDelegate>

namespace Accrete {

// Paints one media grid cell: the thumbnail (or a placeholder while it loads), the file name,
// and markers for items not clustered yet, duplicates, videos and high outlier scores.
class MediaGridDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MediaGridDelegate)

public:
    explicit MediaGridDelegate(QObject *parent = nullptr);

    QSize thumbnailSize() const { return m_thumbnailSize; }
    void setThumbnailSize(const QSize &size) { m_thumbnailSize = size; }

    // Outlier scores at or above this value get a marker.
    static constexpr double kOutlierMarkerThreshold = 0.8;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    static void paintMarker(QPainter *painter, const QRect &rect, const QColor &color,
                            const QString &text, const QFont &font);

    QSize m_thumbnailSize = QSize(160, 160);
};

} // namespace Accrete
