#include "credentialstore.h"

#include <memory>

#include <qt6keychain/keychain.h>

#include <QPromise>

#include "core/logging.h"
#include "core/serviceerror.h"

namespace Accrete {

namespace {

ServiceError missingSecretError(const QString &apiKey, const QString &keychainError)
{
    return ServiceError(
        0, CredentialStore::tr("No API secret found for API key %1: the system keychain has "
                               "none (%2) and ACCRETE_API_SECRET is not set. Store the secret "
                               "with the connection dialog or set ACCRETE_API_KEY and "
                               "ACCRETE_API_SECRET.")
               .arg(apiKey, keychainError));
}

} // namespace

CredentialStore::CredentialStore(QObject *parent)
    : QObject(parent)
{
}

QString CredentialStore::entryKey(const QUrl &baseUrl, const QString &apiKey)
{
    // QUrl keeps the slash of a root path, so it is removed here: "https://host/" and
    // "https://host" name the same server.
    QString url = baseUrl.toString(QUrl::StripTrailingSlash);
    while (url.endsWith(QLatin1Char('/')))
        url.chop(1);
    return url + QLatin1Char(' ') + apiKey;
}

QString CredentialStore::environmentApiKey()
{
    return qEnvironmentVariable("ACCRETE_API_KEY");
}

QString CredentialStore::environmentSecret(const QString &apiKey)
{
    const QString environmentKey = environmentApiKey();
    if (!environmentKey.isEmpty() && environmentKey != apiKey)
        return {};
    return qEnvironmentVariable("ACCRETE_API_SECRET");
}

QFuture<QString> CredentialStore::readSecret(const QUrl &baseUrl, const QString &apiKey)
{
    auto promise = std::make_shared<QPromise<QString>>();
    promise->start();
    QFuture<QString> future = promise->future();

    if (!m_keychainEnabled) {
        const QString secret = environmentSecret(apiKey);
        if (secret.isEmpty())
            promise->setException(missingSecretError(apiKey, tr("keychain disabled")));
        else
            promise->addResult(secret);
        promise->finish();
        return future;
    }

    auto *job = new QKeychain::ReadPasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setKey(entryKey(baseUrl, apiKey));
    connect(job, &QKeychain::Job::finished, this, [promise, apiKey](QKeychain::Job *finishedJob) {
        auto *readJob = static_cast<QKeychain::ReadPasswordJob *>(finishedJob);
        if (readJob->error() == QKeychain::NoError && !readJob->textData().isEmpty()) {
            promise->addResult(readJob->textData());
            promise->finish();
            return;
        }
        qCDebug(lcCloud) << "Keychain has no secret for API key" << apiKey << "("
                         << readJob->errorString() << "); trying ACCRETE_API_SECRET";
        const QString secret = environmentSecret(apiKey);
        if (secret.isEmpty())
            promise->setException(missingSecretError(apiKey, readJob->errorString()));
        else
            promise->addResult(secret);
        promise->finish();
    });
    job->start();
    return future;
}

QFuture<void> CredentialStore::writeSecret(const QUrl &baseUrl, const QString &apiKey,
                                           const QString &secret)
{
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    QFuture<void> future = promise->future();

    if (!m_keychainEnabled) {
        promise->setException(ServiceError(
            0, tr("Cannot store the API secret: the system keychain is disabled. Set "
                  "ACCRETE_API_KEY and ACCRETE_API_SECRET instead.")));
        promise->finish();
        return future;
    }

    auto *job = new QKeychain::WritePasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setKey(entryKey(baseUrl, apiKey));
    job->setTextData(secret);
    connect(job, &QKeychain::Job::finished, this, [promise, apiKey](QKeychain::Job *finishedJob) {
        if (finishedJob->error() != QKeychain::NoError) {
            qCWarning(lcCloud) << "Could not store the secret of API key" << apiKey
                               << "in the keychain:" << finishedJob->errorString();
            promise->setException(ServiceError(
                0, tr("Cannot store the API secret in the system keychain: %1. Set "
                      "ACCRETE_API_KEY and ACCRETE_API_SECRET instead.")
                       .arg(finishedJob->errorString())));
        }
        promise->finish();
    });
    job->start();
    return future;
}

QFuture<void> CredentialStore::removeSecret(const QUrl &baseUrl, const QString &apiKey)
{
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    QFuture<void> future = promise->future();

    if (!m_keychainEnabled) {
        promise->finish();
        return future;
    }

    auto *job = new QKeychain::DeletePasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setKey(entryKey(baseUrl, apiKey));
    connect(job, &QKeychain::Job::finished, this, [promise, apiKey](QKeychain::Job *finishedJob) {
        const auto error = finishedJob->error();
        if (error != QKeychain::NoError && error != QKeychain::EntryNotFound) {
            promise->setException(ServiceError(
                0, tr("Cannot remove the API secret of %1 from the system keychain: %2.")
                       .arg(apiKey, finishedJob->errorString())));
        }
        promise->finish();
    });
    job->start();
    return future;
}

} // namespace Accrete
