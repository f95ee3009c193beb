#pragma once

#include <optional>

#include <QCoreApplication>
#include <QString>
#include <QUrl>

class QSettings;

namespace Accrete {

// The backend a window works on, as the connection dialog collects it and QSettings stores it.
// The API secret is carried for the current session only: save() never writes it, because
// secrets belong in the system keychain.
struct ConnectionSettings
{
    Q_DECLARE_TR_FUNCTIONS(ConnectionSettings)

public:
    enum class Kind {
        Embedded, // the in-process pipeline over `dataDir`
        Cloud,    // Visual Layer Cloud at `url`
        Server,   // an on-premises server or `accrete-cli serve` at `url`
    };

    Kind kind = Kind::Embedded;
    QString dataDir; // Embedded only
    QUrl url;        // Cloud and Server
    QString apiKey;  // empty: ACCRETE_API_KEY
    bool noAuth = false; // Server only: send no Authorization header
    QString apiSecret;   // empty: read from the keychain, then ACCRETE_API_SECRET. Never saved.

    // "Embedded /data/dir", "Visual Layer Cloud https://app.visual-layer.com",
    // "Server http://127.0.0.1:2080": shown in window titles and the status bar.
    QString displayName() const;
    bool isRemote() const { return kind != Kind::Embedded; }

    static QString kindName(Kind kind);
    // https://app.visual-layer.com for Cloud, http://127.0.0.1:2080 for Server, empty else.
    static QUrl defaultUrl(Kind kind);

    // Returns why `text` cannot be a remote base URL (not http or https, no host, ...), or an
    // empty string when it can.
    static QString urlProblem(const QString &text);
    // `text` trimmed and parsed strictly; check urlProblem() first.
    static QUrl parseUrl(const QString &text);

    // Writes kind, URL, API key, the no-authentication flag and data directory to the
    // "Connection" group of `settings`; never the secret.
    void save(QSettings &settings) const;
    // Reads what save() wrote; nullopt when nothing usable is stored.
    static std::optional<ConnectionSettings> load(QSettings &settings);
};

} // namespace Accrete
