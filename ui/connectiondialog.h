#pragma once

#include <functional>

#include <QDialog>
#include <QFuture>

#include "connectionsettings.h"

class QAbstractButton;
class QButtonGroup;
class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QStackedWidget;

namespace Accrete {

// File → Connect…: picks the backend (Embedded with its data directory, Visual Layer Cloud,
// or a Server) and validates the URL while it is typed, with the reason shown under it.
//
// A secret typed for Cloud or Server is handed to the SecretWriter (the app passes
// CredentialStore::writeSecret, so it goes to the system keychain) before the dialog accepts.
// When storing fails the dialog stays open, states that the keychain is unavailable and that
// ACCRETE_API_KEY and ACCRETE_API_SECRET are read instead, and offers to connect with the
// secret for this session only. Nothing here blocks: the writer returns a QFuture.
class ConnectionDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDialog)

public:
    // Stores `secret` for (`baseUrl`, `apiKey`); the future fails with a ServiceError when it
    // cannot.
    using SecretWriter =
        std::function<QFuture<void>(const QUrl &baseUrl, const QString &apiKey, const QString &secret)>;

    // `defaultDataDir` fills the Embedded page when `current` names no data directory.
    ConnectionDialog(const ConnectionSettings &current, const QString &defaultDataDir,
                     SecretWriter secretWriter, QWidget *parent = nullptr);

    // The connection as entered, including the secret typed in this dialog (if any).
    ConnectionSettings connection() const;
    ConnectionSettings::Kind kind() const;
    void setKind(ConnectionSettings::Kind kind);

    // Why the entered values cannot be used, or an empty string; OK is disabled while set.
    QString problem() const { return m_problem; }

    // Parts, for tests.
    QLineEdit *dataDirEdit() const { return m_dataDirEdit; }
    QLineEdit *urlEdit(ConnectionSettings::Kind kind) const;
    QLineEdit *apiKeyEdit(ConnectionSettings::Kind kind) const;
    QLineEdit *apiSecretEdit(ConnectionSettings::Kind kind) const;
    QCheckBox *noAuthCheck() const { return m_noAuthCheck; }
    QLabel *problemLabel() const { return m_problemLabel; }
    QLabel *keychainNote() const { return m_keychainNote; }
    QAbstractButton *okButton() const;

public Q_SLOTS:
    void accept() override;

private:
    struct RemoteFields
    {
        QLineEdit *url = nullptr;
        QLineEdit *apiKey = nullptr;
        QLineEdit *apiSecret = nullptr;
    };

    QWidget *createEmbeddedPage();
    QWidget *createRemotePage(ConnectionSettings::Kind kind, RemoteFields *fields);
    const RemoteFields *fieldsOf(ConnectionSettings::Kind kind) const;
    void browseDataDir();
    void validate();
    void storeSecretThenAccept(const ConnectionSettings &connection);
    void showKeychainUnavailable(const QString &reason);

    SecretWriter m_secretWriter;
    QString m_problem;
    // Set after the keychain failed: OK then connects without storing the secret.
    bool m_connectWithoutStoring = false;
    bool m_storing = false;

    QButtonGroup *m_kindGroup = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLineEdit *m_dataDirEdit = nullptr;
    RemoteFields m_cloud;
    RemoteFields m_server;
    QCheckBox *m_noAuthCheck = nullptr;
    QLabel *m_problemLabel = nullptr;
    QLabel *m_keychainNote = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Accrete
