#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Accrete {

// Asks for an S3 folder or manifest to add to a dataset. The path is validated while typing
// with isValidS3Uri; the dialog states why a path is invalid and accepts only valid ones.
class S3PathDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(S3PathDialog)

public:
    explicit S3PathDialog(QWidget *parent = nullptr);

    QString uri() const;
    void setUri(const QString &uri);
    bool autoReindex() const;
    void setAutoReindex(bool autoReindex);

    bool isUriValid() const;
    // Why the current path is invalid; empty when it is valid.
    QString validationMessage() const;

    void accept() override;

private:
    void updateValidation();

    QLineEdit *m_uriEdit = nullptr;
    QLabel *m_validationLabel = nullptr;
    QCheckBox *m_autoReindexBox = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Accrete
