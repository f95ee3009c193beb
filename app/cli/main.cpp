// accrete-cli: the command-line client. Links QtCore and the backend libraries only, never
// QtWidgets, so that it runs on servers without a display.

#include <QCoreApplication>
#include <QTimer>

#include "commandrunner.h"
#include "core/metatypes.h"
#ifdef ACCRETE_HAVE_SERVE_COMMAND
#include "server/servecommand.h"
#endif

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The application name selects the default data directory (AppDataLocation), which the
    // desktop app shares.
    QCoreApplication::setApplicationName(QStringLiteral("accrete"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ACCRETE_VERSION));
    Accrete::registerCoreMetaTypes();

#ifdef ACCRETE_HAVE_SERVE_COMMAND
    // `serve` runs its own event loop until SIGINT or SIGTERM.
    if (const auto serveArguments = Accrete::CommandRunner::serveArguments(QCoreApplication::arguments()))
        return Accrete::runServeCommand(*serveArguments);
#endif

    Accrete::CommandRunner runner;
    // Start inside the event loop, so that QCoreApplication::exit() reaches exec() even when
    // a command finishes without waiting.
    QTimer::singleShot(0, &runner, [&runner] {
        runner.run(QCoreApplication::arguments()).then(&runner, [](int exitCode) {
            QCoreApplication::exit(exitCode);
        });
    });
    return app.exec();
}
