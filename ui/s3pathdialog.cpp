#include "s3pathdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/requests.h"

namespace Accrete {

S3PathDialog::S3PathDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Add Media from S3"));

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Enter an S3 folder, or a manifest file (.txt, .csv, .parquet) "
                                "that lists the media to add."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_uriEdit = new QLineEdit(this);
    m_uriEdit->setPlaceholderText(QStringLiteral("s3://bucket/prefix/"));
    m_uriEdit->setClearButtonEnabled(true);
    m_uriEdit->setMinimumWidth(360);
    form->addRow(tr("S3 &path:"), m_uriEdit);
    layout->addLayout(form);

    m_validationLabel = new QLabel(this);
    m_validationLabel->setWordWrap(true);
    m_validationLabel->setStyleSheet(QStringLiteral("color: #b3261e;"));
    layout->addWidget(m_validationLabel);

    m_autoReindexBox = new QCheckBox(tr("&Reindex automatically after the media is added"), this);
    layout->addWidget(m_autoReindexBox);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Add"));
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &S3PathDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &S3PathDialog::reject);
    connect(m_uriEdit, &QLineEdit::textChanged, this, &S3PathDialog::updateValidation);
    updateValidation();
}

QString S3PathDialog::uri() const
{
    return m_uriEdit->text().trimmed();
}

void S3PathDialog::setUri(const QString &uri)
{
    m_uriEdit->setText(uri);
}

bool S3PathDialog::autoReindex() const
{
    return m_autoReindexBox->isChecked();
}

void S3PathDialog::setAutoReindex(bool autoReindex)
{
    m_autoReindexBox->setChecked(autoReindex);
}

bool S3PathDialog::isUriValid() const
{
    return isValidS3Uri(uri());
}

QString S3PathDialog::validationMessage() const
{
    const QString text = uri();
    if (text.isEmpty())
        return tr("Enter a path of the form s3://bucket/prefix/.");
    if (isValidS3Uri(text))
        return QString();
    if (!text.startsWith(QLatin1String("s3://")))
        return tr("The path must start with \"s3://\".");
    const QString bucket = text.mid(5).section(QLatin1Char('/'), 0, 0);
    if (bucket.isEmpty())
        return tr("The path names no bucket after \"s3://\".");
    if (bucket.size() < 3 || bucket.size() > 63)
        return tr("The bucket name \"%1\" must be 3 to 63 characters long.").arg(bucket);
    return tr("The bucket name \"%1\" may contain only lower-case letters, digits, dots and "
              "hyphens, and must start and end with a letter or digit.")
        .arg(bucket);
}

void S3PathDialog::accept()
{
    if (!isUriValid())
        return;
    QDialog::accept();
}

void S3PathDialog::updateValidation()
{
    const QString message = validationMessage();
    m_validationLabel->setText(message);
    m_validationLabel->setVisible(!message.isEmpty() && !uri().isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(message.isEmpty());
}

} // namespace Accrete
