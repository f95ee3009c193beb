#include "mediagriddelegate.h"

#include <QApplication>
#include <QIcon>
#include <QImage>
#include <QPainter>
#include <QPainterPath>

#include "core/mediaitem.h"
#include "mediagridmodel.h"

namespace Accrete {

namespace {
constexpr int kMargin = 6;
constexpr int kTextGap = 4;
} // namespace

MediaGridDelegate::MediaGridDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

QSize MediaGridDelegate::sizeHint(const QStyleOptionViewItem &option,
                                  const QModelIndex & /*index*/) const
{
    const int textHeight = option.fontMetrics.height();
    return QSize(m_thumbnailSize.width() + 2 * kMargin,
                 m_thumbnailSize.height() + 2 * kMargin + kTextGap + textHeight);
}

void MediaGridDelegate::paintMarker(QPainter *painter, const QRect &rect, const QColor &color,
                                    const QString &text, const QFont &font)
{
    QPainterPath path;
    path.addRoundedRect(QRectF(rect), 3, 3);
    painter->fillPath(path, color);
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(rect, Qt::AlignCenter, text);
}

void MediaGridDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::SmoothPixmapTransform);

    const QRect cell = option.rect.adjusted(2, 2, -2, -2);
    const bool selected = option.state & QStyle::State_Selected;
    const bool focused = option.state & QStyle::State_HasFocus;
    const QPalette &palette = option.palette;

    // Cell background and selection.
    QPainterPath cellPath;
    cellPath.addRoundedRect(QRectF(cell), 6, 6);
    if (selected) {
        QColor highlight = palette.color(QPalette::Highlight);
        highlight.setAlpha(60);
        painter->fillPath(cellPath, highlight);
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->drawPath(cellPath);
    } else if (option.state & QStyle::State_MouseOver) {
        painter->fillPath(cellPath, palette.color(QPalette::AlternateBase));
    }
    if (focused && !selected) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 1, Qt::DotLine));
        painter->drawPath(cellPath);
    }

    // Thumbnail, or a placeholder while it loads.
    const QRect thumbRect(cell.left() + kMargin - 2, cell.top() + kMargin - 2,
                          m_thumbnailSize.width(), m_thumbnailSize.height());
    const QVariant decoration = index.data(Qt::DecorationRole);
    const QImage image = decoration.value<QImage>();
    // Markers sit on the painted picture, which is smaller than thumbRect for most aspect ratios.
    QRect pictureRect = thumbRect;
    if (!image.isNull()) {
        const QSize scaled = image.size().scaled(thumbRect.size(), Qt::KeepAspectRatio);
        pictureRect = QRect(thumbRect.center().x() - scaled.width() / 2 + 1,
                            thumbRect.center().y() - scaled.height() / 2 + 1, scaled.width(),
                            scaled.height());
        painter->drawImage(pictureRect, image);
        painter->setPen(QPen(palette.color(QPalette::Mid), 1));
        painter->drawRect(QRectF(pictureRect).adjusted(-0.5, -0.5, 0.5, 0.5));
    } else {
        QPainterPath placeholder;
        placeholder.addRoundedRect(QRectF(thumbRect), 4, 4);
        painter->fillPath(placeholder, palette.color(QPalette::Midlight));
        const QSize iconSize(40, 40);
        const QRect iconRect(thumbRect.center() - QPoint(iconSize.width() / 2, iconSize.height() / 2),
                             iconSize);
        QIcon(QStringLiteral(":/accrete/icons/image-placeholder.svg")).paint(painter, iconRect);
    }

    // Markers in the top corners of the thumbnail.
    const auto item = index.data(MediaGridModel::ItemRole).value<MediaItem>();
    QFont markerFont = option.font;
    markerFont.setBold(true);
    markerFont.setPointSizeF(qMax(6.5, option.font.pointSizeF() * 0.75));
    const QFontMetrics markerMetrics(markerFont);
    const int markerHeight = markerMetrics.height() + 2;
    int markerX = pictureRect.left() + 4;
    const auto addMarker = [&](const QColor &color, const QString &text) {
        const int width = markerMetrics.horizontalAdvance(text) + 8;
        paintMarker(painter, QRect(markerX, pictureRect.top() + 4, width, markerHeight), color, text,
                    markerFont);
        markerX += width + 3;
    };
    if (!item.clustered)
        addMarker(QColor(0xe0, 0x8a, 0x14), tr("NEW"));
    if (item.duplicateGroup >= 0 || !item.duplicateOf.isEmpty())
        addMarker(QColor(0xd2, 0x3c, 0x3c), tr("DUP"));
    if (item.clustered && item.outlierScore >= kOutlierMarkerThreshold)
        addMarker(QColor(0x7b, 0x4f, 0xc9), tr("OUTLIER"));
    if (item.kind == MediaKind::Video) {
        const QString text = tr("VIDEO");
        const int width = markerMetrics.horizontalAdvance(text) + 8;
        paintMarker(painter,
                    QRect(pictureRect.right() - width - 3, pictureRect.bottom() - markerHeight - 3,
                          width, markerHeight),
                    QColor(0, 0, 0, 170), text, markerFont);
    }

    // File name, elided.
    const QRect textRect(cell.left() + kMargin, thumbRect.bottom() + kTextGap,
                         cell.width() - 2 * kMargin, option.fontMetrics.height());
    painter->setFont(option.font);
    painter->setPen(palette.color(selected ? QPalette::Text : QPalette::WindowText));
    const QString name = option.fontMetrics.elidedText(index.data(Qt::DisplayRole).toString(),
                                                       Qt::ElideMiddle, textRect.width());
    painter->drawText(textRect, Qt::AlignHCenter | Qt::AlignVCenter, name);

    painter->restore();
}

} // namespace Accrete
