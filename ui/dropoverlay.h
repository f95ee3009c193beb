#pragma once

#include <QWidget>

namespace Accrete {

// The drag-over feedback of the dataset view: a translucent layer with a dashed frame and a
// hint, laid over its parent while files are dragged over it. Transparent for mouse events.
class DropOverlay final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DropOverlay)

public:
    explicit DropOverlay(QWidget *parent);

    void setHint(const QString &hint);
    QString hint() const { return m_hint; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_hint;
};

} // namespace Accrete
