#include "dropoverlay.h"

#include <QEvent>
#include <QIcon>
#include <QPainter>
#include <QPainterPath>

namespace Accrete {

DropOverlay::DropOverlay(QWidget *parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    parent->installEventFilter(this);
    setGeometry(parent->rect());
    hide();
}

void DropOverlay::setHint(const QString &hint)
{
    m_hint = hint;
    update();
}

bool DropOverlay::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parentWidget() && event->type() == QEvent::Resize)
        setGeometry(parentWidget()->rect());
    return QWidget::eventFilter(watched, event);
}

void DropOverlay::paintEvent(QPaintEvent * /*event*/)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor accent(0x2f, 0x6f, 0xd6);

    QColor fill = accent;
    fill.setAlpha(38);
    const QRectF frame = QRectF(rect()).adjusted(6, 6, -6, -6);
    QPainterPath path;
    path.addRoundedRect(frame, 10, 10);
    painter.fillPath(path, fill);
    QPen pen(accent, 2.5, Qt::DashLine);
    painter.setPen(pen);
    painter.drawPath(path);

    const QSize iconSize(64, 64);
    const QPoint iconTopLeft(width() / 2 - iconSize.width() / 2, height() / 2 - iconSize.height());
    QIcon(QStringLiteral(":/accrete/icons/add-media.svg"))
        .paint(&painter, QRect(iconTopLeft, iconSize));

    QFont font = painter.font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    font.setBold(true);
    painter.setFont(font);
    painter.setPen(accent.darker(130));
    const QRect textRect(0, height() / 2 + 8, width(), height() / 2 - 8);
    painter.drawText(textRect, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, m_hint);
}

} // namespace Accrete
