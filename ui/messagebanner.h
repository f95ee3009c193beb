#pragma once

#include <QFrame>
#include <QList>

class QAction;
class QHBoxLayout;
class QLabel;
class QToolButton;

namespace Accrete {

// An inline, non-modal message strip for the top of a view, in the manner of KMessageWidget:
// an icon, a wrapped text, optional action buttons and a close button. Showing a message
// replaces the previous one, so the strip never stacks.
class MessageBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageBanner)

public:
    enum class Kind {
        Information,
        Warning,
        Error,
    };
    Q_ENUM(Kind)

    explicit MessageBanner(QWidget *parent = nullptr);

    // Shows `text` (rich text allowed) with one button per action. The banner does not take
    // ownership of the actions; triggering one leaves the banner open.
    void showMessage(Kind kind, const QString &text, const QList<QAction *> &actions = {});
    void dismiss();

    Kind kind() const { return m_kind; }
    QString text() const;
    // Buttons currently shown, in order; for keyboard focus and tests.
    QList<QToolButton *> actionButtons() const { return m_actionButtons; }

Q_SIGNALS:
    void dismissed();

private:
    void applyKindStyle();

    Kind m_kind = Kind::Information;
    QLabel *m_iconLabel = nullptr;
    QLabel *m_textLabel = nullptr;
    QHBoxLayout *m_actionLayout = nullptr;
    QToolButton *m_closeButton = nullptr;
    QList<QToolButton *> m_actionButtons;
};

} // namespace Accrete
