#include "connectionsettings.h"

#include <QDir>
#include <QSettings>

namespace Accrete {

namespace {

const QString settingsGroup = QStringLiteral("Connection");

QString kindKey(ConnectionSettings::Kind kind)
{
    switch (kind) {
    case ConnectionSettings::Kind::Embedded:
        return QStringLiteral("embedded");
    case ConnectionSettings::Kind::Cloud:
        return QStringLiteral("cloud");
    case ConnectionSettings::Kind::Server:
        return QStringLiteral("server");
    }
    return {};
}

std::optional<ConnectionSettings::Kind> kindFromKey(const QString &key)
{
    for (auto kind : { ConnectionSettings::Kind::Embedded, ConnectionSettings::Kind::Cloud,
                       ConnectionSettings::Kind::Server }) {
        if (kindKey(kind) == key)
            return kind;
    }
    return std::nullopt;
}

} // namespace

QString ConnectionSettings::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Embedded:
        return tr("Embedded");
    case Kind::Cloud:
        return tr("Visual Layer Cloud");
    case Kind::Server:
        return tr("Server");
    }
    return {};
}

QUrl ConnectionSettings::defaultUrl(Kind kind)
{
    switch (kind) {
    case Kind::Embedded:
        return {};
    case Kind::Cloud:
        return QUrl(QStringLiteral("https://app.visual-layer.com"));
    case Kind::Server:
        return QUrl(QStringLiteral("http://127.0.0.1:2080"));
    }
    return {};
}

QString ConnectionSettings::displayName() const
{
    if (kind == Kind::Embedded)
        return tr("%1 %2").arg(kindName(kind), QDir::toNativeSeparators(dataDir));
    const QUrl shown = url.isEmpty() ? defaultUrl(kind) : url;
    return tr("%1 %2").arg(kindName(kind), shown.toString(QUrl::StripTrailingSlash));
}

QUrl ConnectionSettings::parseUrl(const QString &text)
{
    return QUrl(text.trimmed(), QUrl::StrictMode);
}

QString ConnectionSettings::urlProblem(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return tr("Enter the URL of the server, for example http://127.0.0.1:2080.");
    const QUrl url = parseUrl(trimmed);
    if (!url.isValid())
        return tr("The URL is invalid: %1.").arg(url.errorString());
    const QString scheme = url.scheme().toLower();
    if (scheme.isEmpty())
        return tr("The URL has no scheme: start it with http:// or https://.");
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return tr("The URL scheme is %1: use http or https.").arg(url.scheme());
    if (url.host().isEmpty())
        return tr("The URL has no host: enter it as http://host:port.");
    // Credentials in the URL would be stored in the settings file and shown in the window.
    if (!url.userInfo().isEmpty())
        return tr("The URL contains a user name or password: enter the API key and secret "
                  "in their own fields instead.");
    if (url.hasQuery() || url.hasFragment())
        return tr("The URL contains a query or fragment: enter the base URL only.");
    return {};
}

void ConnectionSettings::save(QSettings &settings) const
{
    settings.beginGroup(settingsGroup);
    settings.setValue(QStringLiteral("kind"), kindKey(kind));
    settings.setValue(QStringLiteral("url"), url.toString());
    settings.setValue(QStringLiteral("apiKey"), apiKey);
    settings.setValue(QStringLiteral("noAuth"), noAuth);
    settings.setValue(QStringLiteral("dataDir"), dataDir);
    settings.endGroup();
}

std::optional<ConnectionSettings> ConnectionSettings::load(QSettings &settings)
{
    settings.beginGroup(settingsGroup);
    const auto kind = kindFromKey(settings.value(QStringLiteral("kind")).toString());
    ConnectionSettings connection;
    if (kind) {
        connection.kind = *kind;
        connection.url = QUrl(settings.value(QStringLiteral("url")).toString());
        connection.apiKey = settings.value(QStringLiteral("apiKey")).toString();
        connection.noAuth = settings.value(QStringLiteral("noAuth"), false).toBool();
        connection.dataDir = settings.value(QStringLiteral("dataDir")).toString();
    }
    settings.endGroup();

    if (!kind)
        return std::nullopt;
    if (connection.isRemote() && !urlProblem(connection.url.toString()).isEmpty())
        return std::nullopt;
    if (connection.kind == Kind::Embedded && connection.dataDir.isEmpty())
        return std::nullopt;
    return connection;
}

} // namespace Accrete
