// The JWT minting and caching of JwtAuthenticator and the environment fallback of
// CredentialStore.

#include <jwt.h>

#include <QDateTime>
#include <QStandardPaths>
#include <QTest>

#include "cloud/cloudservice.h"
#include "cloud/credentialstore.h"
#include "cloud/jwtauthenticator.h"
#include "core/serviceerror.h"

using namespace Accrete;

namespace {

bool verifies(const QByteArray &token, const QByteArray &secret, long *issuedAt = nullptr)
{
    jwt_t *jwt = nullptr;
    if (jwt_decode(&jwt, token.constData(), reinterpret_cast<const unsigned char *>(secret.constData()),
                   int(secret.size())) != 0) {
        return false;
    }
    if (issuedAt)
        *issuedAt = jwt_get_grant_int(jwt, "iat");
    jwt_free(jwt);
    return true;
}

template<typename T>
ServiceError failureOf(const QFuture<T> &future)
{
    try {
        QFuture<T>(future).waitForFinished();
    } catch (const ServiceError &error) {
        return error;
    }
    return {};
}

// Sets an environment variable for one scope and restores the previous value.
class ScopedEnvironment
{
public:
    ScopedEnvironment(const char *name, const QByteArray &value)
        : m_name(name)
        , m_hadValue(qEnvironmentVariableIsSet(name))
        , m_previous(qgetenv(name))
    {
        if (value.isNull())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    ~ScopedEnvironment()
    {
        if (m_hadValue)
            qputenv(m_name, m_previous);
        else
            qunsetenv(m_name);
    }
    ScopedEnvironment(const ScopedEnvironment &) = delete;
    ScopedEnvironment &operator=(const ScopedEnvironment &) = delete;

private:
    const char *m_name;
    bool m_hadValue;
    QByteArray m_previous;
};

} // namespace

class TestCloudAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void tokenReusedUntilRenewMargin();
    void tokenRenewedNearExpiry();
    void invalidateMintsNewToken();
    void emptySecretFailsToSign();

    void entryKeyCombinesUrlAndKey();
    void environmentSecretForMatchingKey();
    void environmentSecretIgnoredForOtherKey();
    void missingSecretNamesVariables();
    void writeWithoutKeychainFails();

    void factoryCreatesCloudService();
};

void TestCloudAuth::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestCloudAuth::tokenReusedUntilRenewMargin()
{
    JwtAuthenticator authenticator(QStringLiteral("key"), "secret");
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    const QByteArray first = authenticator.token(start);
    QVERIFY(verifies(first, "secret"));

    // 10-minute tokens are kept until 60 s before they expire.
    QCOMPARE(authenticator.token(start.addSecs(60)), first);
    QCOMPARE(authenticator.token(start.addSecs(539)), first);
}

void TestCloudAuth::tokenRenewedNearExpiry()
{
    JwtAuthenticator authenticator(QStringLiteral("key"), "secret");
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    const QByteArray first = authenticator.token(start);
    const QByteArray renewed = authenticator.token(start.addSecs(540));
    QVERIFY(renewed != first);
    long issuedAt = 0;
    QVERIFY(verifies(renewed, "secret", &issuedAt));
    QCOMPARE(issuedAt, 1'800'000'540L);
}

void TestCloudAuth::invalidateMintsNewToken()
{
    JwtAuthenticator authenticator(QStringLiteral("key"), "secret");
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    const QByteArray first = authenticator.token(start);
    authenticator.invalidate();
    const QByteArray second = authenticator.token(start.addSecs(1));
    QVERIFY(second != first);
    QVERIFY(verifies(second, "secret"));
}

void TestCloudAuth::emptySecretFailsToSign()
{
    JwtAuthenticator authenticator(QStringLiteral("key"), QByteArray());
    QString error;
    QVERIFY(authenticator.token(QDateTime::currentDateTimeUtc(), &error).isEmpty());
    QVERIFY(error.contains(QStringLiteral("secret")));
}

void TestCloudAuth::entryKeyCombinesUrlAndKey()
{
    QCOMPARE(CredentialStore::entryKey(QUrl(QStringLiteral("https://app.visual-layer.com/")),
                                       QStringLiteral("abc")),
             QStringLiteral("https://app.visual-layer.com abc"));
    QVERIFY(CredentialStore::entryKey(QUrl(QStringLiteral("http://127.0.0.1:2080")), QStringLiteral("abc"))
            != CredentialStore::entryKey(QUrl(QStringLiteral("http://127.0.0.1:2081")), QStringLiteral("abc")));
}

void TestCloudAuth::environmentSecretForMatchingKey()
{
    const ScopedEnvironment key("ACCRETE_API_KEY", "env-key");
    const ScopedEnvironment secret("ACCRETE_API_SECRET", "env-secret");
    CredentialStore store;
    store.setKeychainEnabled(false);

    auto future = store.readSecret(QUrl(QStringLiteral("http://127.0.0.1:2080")), QStringLiteral("env-key"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 10'000);
    QCOMPARE(failureOf(future).detail(), QString());
    QCOMPARE(future.result(), QStringLiteral("env-secret"));
    QCOMPARE(CredentialStore::environmentApiKey(), QStringLiteral("env-key"));
}

void TestCloudAuth::environmentSecretIgnoredForOtherKey()
{
    const ScopedEnvironment key("ACCRETE_API_KEY", "env-key");
    const ScopedEnvironment secret("ACCRETE_API_SECRET", "env-secret");
    CredentialStore store;
    store.setKeychainEnabled(false);

    auto future = store.readSecret(QUrl(QStringLiteral("http://127.0.0.1:2080")), QStringLiteral("other-key"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 10'000);
    QCOMPARE(failureOf(future).code(), 0);
    QVERIFY(failureOf(future).detail().contains(QStringLiteral("other-key")));
}

void TestCloudAuth::missingSecretNamesVariables()
{
    const ScopedEnvironment key("ACCRETE_API_KEY", QByteArray());
    const ScopedEnvironment secret("ACCRETE_API_SECRET", QByteArray());
    CredentialStore store;
    // The keychain stays out of tests: on a desktop, reading it could prompt the user.
    store.setKeychainEnabled(false);
    auto future = store.readSecret(QUrl(QStringLiteral("http://127.0.0.1:9")),
                                   QStringLiteral("accrete-test-key-without-secret"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 60'000);
    const QString detail = failureOf(future).detail();
    QVERIFY2(detail.contains(QStringLiteral("ACCRETE_API_SECRET")), qPrintable(detail));
    QVERIFY2(detail.contains(QStringLiteral("accrete-test-key-without-secret")), qPrintable(detail));
}

void TestCloudAuth::writeWithoutKeychainFails()
{
    CredentialStore store;
    store.setKeychainEnabled(false);
    auto future = store.writeSecret(QUrl(QStringLiteral("http://127.0.0.1:2080")), QStringLiteral("k"),
                                    QStringLiteral("s"));
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 10'000);
    QVERIFY(failureOf(future).detail().contains(QStringLiteral("ACCRETE_API_SECRET")));
}

void TestCloudAuth::factoryCreatesCloudService()
{
    RemoteConnection connection;
    connection.kind = RemoteConnection::Kind::Server;
    connection.noAuth = true;
    auto service = createRemoteService(connection, nullptr);
    auto *cloud = qobject_cast<CloudService *>(service.get());
    QVERIFY(cloud);
    QCOMPARE(cloud->baseUrl(), QUrl(QStringLiteral("http://127.0.0.1:2080")));
    QVERIFY(service->connectionName().contains(QStringLiteral("http://127.0.0.1:2080")));

    QCOMPARE(RemoteConnection::defaultBaseUrl(RemoteConnection::Kind::Cloud),
             QUrl(QStringLiteral("https://app.visual-layer.com")));
}

QTEST_GUILESS_MAIN(TestCloudAuth)
#include "tst_cloudauth.moc"
