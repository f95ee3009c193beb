#pragma once

#include <QColor>
#include <QWidget>

#include "core/datasetstatus.h"

class QPainter;

namespace Accrete {

// A rounded badge that shows a dataset status in the API's spelling ("READ ONLY"), one
// colour per status. The static functions paint the same badge inside item delegates.
class StatusBadge final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusBadge)

public:
    explicit StatusBadge(QWidget *parent = nullptr);

    DatasetStatus status() const { return m_status; }
    bool hasStatus() const { return m_hasStatus; }
    // The text the badge shows; empty until a status is set.
    QString text() const;

    void setStatus(DatasetStatus status);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    static QColor backgroundColor(DatasetStatus status);
    static QColor textColor(DatasetStatus status);
    // Size of the badge for `status` drawn with `font`, padding included.
    static QSize badgeSize(const QFont &font, DatasetStatus status);
    // Paints the badge with its top-left corner at `topLeft`; returns the painted rectangle.
    static QRect paintBadge(QPainter *painter, const QPoint &topLeft, const QFont &font,
                            DatasetStatus status);

Q_SIGNALS:
    void statusChanged(Accrete::DatasetStatus status);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    static QFont badgeFont(const QFont &base);

    DatasetStatus m_status = DatasetStatus::Draft;
    bool m_hasStatus = false;
};

} // namespace Accrete
