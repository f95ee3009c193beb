#pragma once

#include <QStringList>

namespace Accrete {

// Runs `accrete-cli serve`. It parses `arguments`, opens the embedded pipeline and serves
// the REST API until SIGINT or SIGTERM. arguments[0] is the program name shown in the help
// text (for example "accrete-cli serve") and the options follow it.
//
// Call it after a QCoreApplication exists, from its thread; it runs the event loop.
// Returns the process exit code: 0 after a clean stop, 1 when the server cannot start,
// 2 for invalid options.
int runServeCommand(const QStringList &arguments);

} // namespace Accrete
