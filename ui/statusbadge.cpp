#include "statusbadge.h"

#include <QPainter>
#include <QPainterPath>

namespace Accrete {

namespace {
constexpr int kHorizontalPadding = 8;
constexpr int kVerticalPadding = 3;
} // namespace

StatusBadge::StatusBadge(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    setAccessibleName(tr("Dataset status"));
}

QString StatusBadge::text() const
{
    return m_hasStatus ? statusToApiString(m_status) : QString();
}

void StatusBadge::setStatus(DatasetStatus status)
{
    if (m_hasStatus && m_status == status)
        return;
    m_status = status;
    m_hasStatus = true;
    setAccessibleDescription(text());
    setToolTip(tr("Dataset status: %1").arg(text()));
    updateGeometry();
    update();
    Q_EMIT statusChanged(status);
}

QSize StatusBadge::sizeHint() const
{
    return badgeSize(font(), m_status);
}

QSize StatusBadge::minimumSizeHint() const
{
    return sizeHint();
}

QColor StatusBadge::backgroundColor(DatasetStatus status)
{
    switch (status) {
    case DatasetStatus::Draft:
        return QColor(0x8a, 0x93, 0x9e);
    case DatasetStatus::Indexing:
        return QColor(0x2f, 0x6f, 0xd6);
    case DatasetStatus::ReadOnly:
        return QColor(0x7b, 0x4f, 0xc9);
    case DatasetStatus::PartialIndex:
        return QColor(0xe0, 0x8a, 0x14);
    case DatasetStatus::Ready:
        return QColor(0x2e, 0x9d, 0x57);
    case DatasetStatus::Error:
        return QColor(0xd2, 0x3c, 0x3c);
    }
    return QColor(Qt::gray);
}

QColor StatusBadge::textColor(DatasetStatus /*status*/)
{
    return QColor(Qt::white);
}

QFont StatusBadge::badgeFont(const QFont &base)
{
    QFont font = base;
    font.setBold(true);
    font.setPointSizeF(qMax(7.0, base.pointSizeF() * 0.85));
    return font;
}

QSize StatusBadge::badgeSize(const QFont &font, DatasetStatus status)
{
    const QFontMetrics metrics(badgeFont(font));
    return QSize(metrics.horizontalAdvance(statusToApiString(status)) + 2 * kHorizontalPadding,
                 metrics.height() + 2 * kVerticalPadding);
}

QRect StatusBadge::paintBadge(QPainter *painter, const QPoint &topLeft, const QFont &font,
                              DatasetStatus status)
{
    const QRect rect(topLeft, badgeSize(font, status));
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    const qreal radius = rect.height() / 2.0;
    path.addRoundedRect(QRectF(rect), radius, radius);
    painter->fillPath(path, backgroundColor(status));
    painter->setFont(badgeFont(font));
    painter->setPen(textColor(status));
    painter->drawText(rect, Qt::AlignCenter, statusToApiString(status));
    painter->restore();
    return rect;
}

void StatusBadge::paintEvent(QPaintEvent * /*event*/)
{
    if (!m_hasStatus)
        return;
    QPainter painter(this);
    const QSize size = badgeSize(font(), m_status);
    const QPoint topLeft(0, (height() - size.height()) / 2);
    paintBadge(&painter, topLeft, font(), m_status);
}

} // namespace Accrete
