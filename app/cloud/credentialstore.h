#pragma once

#include <QFuture>
#include <QObject>
#include <QString>
#include <QUrl>

namespace Accrete {

// Stores API secrets in the system keychain through QtKeychain (service "Accrete", one entry
// per base URL and API key). Without a usable keychain (headless machines, CI) reads fall
// back to the ACCRETE_API_KEY and ACCRETE_API_SECRET environment variables.
//
// Futures finish in the store's thread and fail with ServiceError(0, ...) when no secret is
// found. Secrets are never logged.
class CredentialStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialStore)

public:
    explicit CredentialStore(QObject *parent = nullptr);

    static QString serviceName() { return QStringLiteral("Accrete"); }
    // The keychain entry name: the base URL without a trailing slash, a space, the API key.
    static QString entryKey(const QUrl &baseUrl, const QString &apiKey);

    // ACCRETE_API_KEY, or an empty string.
    static QString environmentApiKey();
    // ACCRETE_API_SECRET when ACCRETE_API_KEY is unset or equals `apiKey`, else empty.
    static QString environmentSecret(const QString &apiKey);

    // false: skip the keychain and use the environment only.
    void setKeychainEnabled(bool enabled) { m_keychainEnabled = enabled; }
    bool isKeychainEnabled() const { return m_keychainEnabled; }

    QFuture<QString> readSecret(const QUrl &baseUrl, const QString &apiKey);
    QFuture<void> writeSecret(const QUrl &baseUrl, const QString &apiKey, const QString &secret);
    QFuture<void> removeSecret(const QUrl &baseUrl, const QString &apiKey);

private:
    bool m_keychainEnabled = true;
};

} // namespace Accrete
