#include "connectiondialog.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "core/logging.h"
#include "core/serviceerror.h"

namespace Accrete {

namespace {

constexpr ConnectionSettings::Kind kinds[] = { ConnectionSettings::Kind::Embedded,
                                               ConnectionSettings::Kind::Cloud,
                                               ConnectionSettings::Kind::Server };

QLabel *createNoteLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->hide();
    return label;
}

} // namespace

ConnectionDialog::ConnectionDialog(const ConnectionSettings &current, const QString &defaultDataDir,
                                   SecretWriter secretWriter, QWidget *parent)
    : QDialog(parent)
    , m_secretWriter(std::move(secretWriter))
{
    setWindowTitle(tr("Connect"));
    auto *layout = new QVBoxLayout(this);

    auto *kindRow = new QHBoxLayout;
    m_kindGroup = new QButtonGroup(this);
    for (const auto kind : kinds) {
        auto *button = new QRadioButton(ConnectionSettings::kindName(kind), this);
        m_kindGroup->addButton(button, int(kind));
        kindRow->addWidget(button);
    }
    kindRow->addStretch(1);
    layout->addLayout(kindRow);

    m_pages = new QStackedWidget(this);
    m_pages->insertWidget(int(ConnectionSettings::Kind::Embedded), createEmbeddedPage());
    m_pages->insertWidget(int(ConnectionSettings::Kind::Cloud),
                          createRemotePage(ConnectionSettings::Kind::Cloud, &m_cloud));
    m_pages->insertWidget(int(ConnectionSettings::Kind::Server),
                          createRemotePage(ConnectionSettings::Kind::Server, &m_server));
    layout->addWidget(m_pages);

    m_problemLabel = createNoteLabel(this);
    m_problemLabel->setStyleSheet(QStringLiteral("color: #b3261e;"));
    layout->addWidget(m_problemLabel);
    m_keychainNote = createNoteLabel(this);
    layout->addWidget(m_keychainNote);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ConnectionDialog::reject);

    // Fill in the current connection; the other pages keep their defaults.
    m_dataDirEdit->setText(QDir::toNativeSeparators(
        current.kind == ConnectionSettings::Kind::Embedded && !current.dataDir.isEmpty()
            ? current.dataDir
            : defaultDataDir));
    if (current.isRemote()) {
        const RemoteFields *fields = fieldsOf(current.kind);
        if (!current.url.isEmpty())
            fields->url->setText(current.url.toString());
        fields->apiKey->setText(current.apiKey);
        if (current.kind == ConnectionSettings::Kind::Server)
            m_noAuthCheck->setChecked(current.noAuth);
    }

    connect(m_kindGroup, &QButtonGroup::idToggled, this, [this](int id, bool checked) {
        if (!checked)
            return;
        m_pages->setCurrentIndex(id);
        validate();
    });
    setKind(current.kind);
    validate();
}

QWidget *ConnectionDialog::createEmbeddedPage()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    auto *intro = new QLabel(tr("Datasets are processed on this computer and kept in the data "
                                "directory."),
                             page);
    intro->setWordWrap(true);
    form->addRow(intro);

    auto *row = new QHBoxLayout;
    m_dataDirEdit = new QLineEdit(page);
    m_dataDirEdit->setClearButtonEnabled(true);
    row->addWidget(m_dataDirEdit, 1);
    auto *browse = new QPushButton(tr("&Browse…"), page);
    row->addWidget(browse);
    form->addRow(tr("&Data directory:"), row);
    qobject_cast<QLabel *>(form->labelForField(row))->setBuddy(m_dataDirEdit);

    connect(browse, &QPushButton::clicked, this, &ConnectionDialog::browseDataDir);
    connect(m_dataDirEdit, &QLineEdit::textChanged, this, &ConnectionDialog::validate);
    return page;
}

QWidget *ConnectionDialog::createRemotePage(ConnectionSettings::Kind kind, RemoteFields *fields)
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    auto *intro = new QLabel(kind == ConnectionSettings::Kind::Cloud
                                 ? tr("Datasets live in Visual Layer Cloud. Requests are signed "
                                      "with your API key and secret.")
                                 : tr("An on-premises Visual Layer server, or `accrete-cli "
                                      "serve` on a shared machine."),
                             page);
    intro->setWordWrap(true);
    form->addRow(intro);

    fields->url = new QLineEdit(ConnectionSettings::defaultUrl(kind).toString(), page);
    fields->url->setPlaceholderText(ConnectionSettings::defaultUrl(kind).toString());
    form->addRow(tr("&URL:"), fields->url);

    if (kind == ConnectionSettings::Kind::Server) {
        m_noAuthCheck = new QCheckBox(tr("&No authentication (server started with "
                                         "authentication off)"),
                                      page);
        form->addRow(m_noAuthCheck);
        connect(m_noAuthCheck, &QCheckBox::toggled, this, &ConnectionDialog::validate);
    }

    fields->apiKey = new QLineEdit(page);
    fields->apiKey->setPlaceholderText(tr("Empty: the ACCRETE_API_KEY variable"));
    form->addRow(tr("API &key:"), fields->apiKey);

    fields->apiSecret = new QLineEdit(page);
    fields->apiSecret->setEchoMode(QLineEdit::Password);
    fields->apiSecret->setPlaceholderText(tr("Empty: the secret stored in the system keychain"));
    fields->apiSecret->setToolTip(tr("Entered once and stored in the system keychain, never "
                                     "in the settings file."));
    form->addRow(tr("API &secret:"), fields->apiSecret);

    for (QLineEdit *edit : { fields->url, fields->apiKey, fields->apiSecret })
        connect(edit, &QLineEdit::textChanged, this, &ConnectionDialog::validate);
    return page;
}

const ConnectionDialog::RemoteFields *ConnectionDialog::fieldsOf(ConnectionSettings::Kind kind) const
{
    return kind == ConnectionSettings::Kind::Cloud ? &m_cloud : &m_server;
}

QLineEdit *ConnectionDialog::urlEdit(ConnectionSettings::Kind kind) const
{
    return kind == ConnectionSettings::Kind::Embedded ? nullptr : fieldsOf(kind)->url;
}

QLineEdit *ConnectionDialog::apiKeyEdit(ConnectionSettings::Kind kind) const
{
    return kind == ConnectionSettings::Kind::Embedded ? nullptr : fieldsOf(kind)->apiKey;
}

QLineEdit *ConnectionDialog::apiSecretEdit(ConnectionSettings::Kind kind) const
{
    return kind == ConnectionSettings::Kind::Embedded ? nullptr : fieldsOf(kind)->apiSecret;
}

QAbstractButton *ConnectionDialog::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

ConnectionSettings::Kind ConnectionDialog::kind() const
{
    return static_cast<ConnectionSettings::Kind>(m_kindGroup->checkedId());
}

void ConnectionDialog::setKind(ConnectionSettings::Kind kind)
{
    m_kindGroup->button(int(kind))->setChecked(true);
}

ConnectionSettings ConnectionDialog::connection() const
{
    ConnectionSettings connection;
    connection.kind = kind();
    if (connection.kind == ConnectionSettings::Kind::Embedded) {
        connection.dataDir = QDir::fromNativeSeparators(m_dataDirEdit->text().trimmed());
        return connection;
    }
    const RemoteFields *fields = fieldsOf(connection.kind);
    connection.url = ConnectionSettings::parseUrl(fields->url->text());
    connection.noAuth = connection.kind == ConnectionSettings::Kind::Server && m_noAuthCheck->isChecked();
    if (!connection.noAuth) {
        connection.apiKey = fields->apiKey->text().trimmed();
        connection.apiSecret = fields->apiSecret->text();
    }
    return connection;
}

void ConnectionDialog::browseDataDir()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Data Directory"),
                                                             m_dataDirEdit->text());
    if (!folder.isEmpty())
        m_dataDirEdit->setText(QDir::toNativeSeparators(folder));
}

void ConnectionDialog::validate()
{
    const ConnectionSettings entered = connection();
    QString problem;
    if (entered.kind == ConnectionSettings::Kind::Embedded) {
        const QFileInfo info(entered.dataDir);
        if (entered.dataDir.isEmpty())
            problem = tr("Enter the data directory, or pick one with Browse.");
        else if (info.exists() && !info.isDir())
            problem = tr("%1 is a file, not a directory: pick a directory.")
                          .arg(QDir::toNativeSeparators(entered.dataDir));
    } else {
        const RemoteFields *fields = fieldsOf(entered.kind);
        problem = ConnectionSettings::urlProblem(fields->url->text());
        if (problem.isEmpty() && !entered.apiSecret.isEmpty() && entered.apiKey.isEmpty())
            problem = tr("Enter the API key that the secret belongs to.");
        // The key and secret are not used without authentication.
        for (QLineEdit *edit : { fields->apiKey, fields->apiSecret })
            edit->setEnabled(!entered.noAuth);
    }

    m_problem = problem;
    m_problemLabel->setText(problem);
    m_problemLabel->setVisible(!problem.isEmpty());
    okButton()->setEnabled(problem.isEmpty() && !m_storing);
    // A changed entry is stored again before connecting.
    m_connectWithoutStoring = false;
    okButton()->setText(tr("&Connect"));
}

void ConnectionDialog::accept()
{
    if (!m_problem.isEmpty() || m_storing)
        return;
    const ConnectionSettings entered = connection();
    if (entered.isRemote() && !entered.apiSecret.isEmpty() && m_secretWriter
        && !m_connectWithoutStoring) {
        storeSecretThenAccept(entered);
        return;
    }
    QDialog::accept();
}

void ConnectionDialog::storeSecretThenAccept(const ConnectionSettings &connection)
{
    m_storing = true;
    okButton()->setEnabled(false);
    m_keychainNote->setText(tr("Storing the API secret in the system keychain…"));
    m_keychainNote->show();
    qCInfo(lcUi) << "storing the API secret of key" << connection.apiKey << "for"
                 << connection.url.toString();

    m_secretWriter(connection.url, connection.apiKey, connection.apiSecret)
        .then(this,
              [this] {
                  m_storing = false;
                  m_keychainNote->hide();
                  QDialog::accept();
              })
        .onFailed(this, [this](const ServiceError &error) {
            m_storing = false;
            qCWarning(lcUi) << "the API secret could not be stored:" << error.detail();
            showKeychainUnavailable(error.detail());
        })
        .onFailed(this, [this] {
            m_storing = false;
            showKeychainUnavailable(tr("The system keychain could not store the API secret."));
        });
}

void ConnectionDialog::showKeychainUnavailable(const QString &reason)
{
    // `reason` names the failure and the ACCRETE_API_KEY/ACCRETE_API_SECRET fallback.
    m_keychainNote->setText(tr("%1\nThe secret is used for this session only. Click Connect to "
                               "continue without storing it.")
                                .arg(reason));
    m_keychainNote->show();
    m_connectWithoutStoring = true;
    okButton()->setEnabled(m_problem.isEmpty());
}

} // namespace Accrete
