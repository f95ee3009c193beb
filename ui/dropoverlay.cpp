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

    // Wash out the view so the hint reads clearly, and frame the whole drop area.
    const QRectF frame = QRectF(rect()).adjusted(4, 4, -4, -4);
    QPainterPath framePath;
    framePath.addRoundedRect(frame, 10, 10);
    painter.fillPath(framePath, QColor(0xee, 0xf3, 0xfc, 215));
    painter.setPen(QPen(accent, 2.5, Qt::DashLine));
    painter.drawPath(framePath);

    // A card in the middle with the icon and the hint.
    QFont font = painter.font();
    font.setPointSizeF(font.pointSizeF() * 1.25);
    font.setBold(true);
    const QFontMetrics metrics(font);
    const int textWidth = qMin(metrics.horizontalAdvance(m_hint), width() - 80);
    const QRect textBounds = metrics.boundingRect(QRect(0, 0, textWidth, 1000),
                                                  Qt::AlignHCenter | Qt::TextWordWrap, m_hint);
    const QSize iconSize(64, 64);
    const QSize cardSize(textBounds.width() + 64, iconSize.height() + textBounds.height() + 56);
    const QRect card(QPoint(width() / 2 - cardSize.width() / 2, height() / 2 - cardSize.height() / 2),
                     cardSize);
    QPainterPath cardPath;
    cardPath.addRoundedRect(QRectF(card), 12, 12);
    painter.fillPath(cardPath, QColor(Qt::white));
    painter.setPen(QPen(accent.lighter(150), 1));
    painter.drawPath(cardPath);

    const QRect iconRect(card.center().x() - iconSize.width() / 2, card.top() + 20, iconSize.width(),
                         iconSize.height());
    QIcon(QStringLiteral(":/accrete/icons/add-media.svg")).paint(&painter, iconRect);

    painter.setFont(font);
    painter.setPen(accent.darker(130));
    const QRect textRect(card.left() + 32, iconRect.bottom() + 12, textBounds.width(),
                         textBounds.height());
    painter.drawText(textRect, Qt::AlignHCenter | Qt::TextWordWrap, m_hint);
}

} // namespace Accrete
