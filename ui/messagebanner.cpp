#include "messagebanner.h"

#include <QAction>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QToolButton>

namespace Accrete {

MessageBanner::MessageBanner(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("messageBanner"));
    setFrameShape(QFrame::NoFrame);
    setAutoFillBackground(true);
    setAccessibleName(tr("Message"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 8, 6, 8);
    layout->setSpacing(10);

    m_iconLabel = new QLabel(this);
    m_iconLabel->setFixedSize(22, 22);
    m_iconLabel->setAlignment(Qt::AlignTop);
    layout->addWidget(m_iconLabel, 0, Qt::AlignTop);

    m_textLabel = new QLabel(this);
    m_textLabel->setWordWrap(true);
    m_textLabel->setTextFormat(Qt::RichText);
    m_textLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_textLabel->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    layout->addWidget(m_textLabel, 1);

    m_actionLayout = new QHBoxLayout;
    m_actionLayout->setSpacing(6);
    layout->addLayout(m_actionLayout);

    m_closeButton = new QToolButton(this);
    m_closeButton->setIcon(QIcon(QStringLiteral(":/accrete/icons/close.svg")));
    m_closeButton->setAutoRaise(true);
    m_closeButton->setToolTip(tr("Dismiss this message"));
    m_closeButton->setAccessibleName(tr("Dismiss"));
    layout->addWidget(m_closeButton, 0, Qt::AlignTop);
    connect(m_closeButton, &QToolButton::clicked, this, &MessageBanner::dismiss);

    hide();
}

QString MessageBanner::text() const
{
    return m_textLabel->text();
}

void MessageBanner::showMessage(Kind kind, const QString &text, const QList<QAction *> &actions)
{
    m_kind = kind;
    m_textLabel->setText(text);

    qDeleteAll(m_actionButtons);
    m_actionButtons.clear();
    for (QAction *action : actions) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        m_actionLayout->addWidget(button, 0, Qt::AlignTop);
        m_actionButtons.append(button);
    }

    applyKindStyle();
    show();
}

void MessageBanner::dismiss()
{
    if (isHidden())
        return;
    hide();
    qDeleteAll(m_actionButtons);
    m_actionButtons.clear();
    Q_EMIT dismissed();
}

void MessageBanner::applyKindStyle()
{
    QString icon;
    QString background;
    QString border;
    switch (m_kind) {
    case Kind::Information:
        icon = QStringLiteral(":/accrete/icons/info.svg");
        background = QStringLiteral("#e3effc");
        border = QStringLiteral("#2f6fd6");
        break;
    case Kind::Warning:
        icon = QStringLiteral(":/accrete/icons/warning.svg");
        background = QStringLiteral("#fdf1dc");
        border = QStringLiteral("#e08a14");
        break;
    case Kind::Error:
        icon = QStringLiteral(":/accrete/icons/error.svg");
        background = QStringLiteral("#fbe3e3");
        border = QStringLiteral("#d23c3c");
        break;
    }
    m_iconLabel->setPixmap(QIcon(icon).pixmap(QSize(22, 22), devicePixelRatioF()));
    setStyleSheet(QStringLiteral("#messageBanner { background: %1; border: 1px solid %2;"
                                 " border-left: 4px solid %2; border-radius: 4px; }"
                                 "#messageBanner QLabel { color: #202124; background: transparent; }")
                      .arg(background, border));
}

} // namespace Accrete
