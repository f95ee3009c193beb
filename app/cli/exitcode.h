#pragma once

#include <QString>

namespace Accrete {

class ServiceError;

// Process exit codes of accrete-cli. Scripts rely on these values: never renumber them.
enum class ExitCode : int {
    Ok = 0,
    UsageError = 1,       // unknown command or option, missing value, input path not found
    BadRequest = 2,       // the backend rejected the request with 400 or 422
    NotFound = 3,         // 404: no such dataset or task
    Conflict = 4,         // 409: another operation runs, or the status does not allow it
    OtherRejection = 5,   // any other rejection (401, 403, 500, 501, ...) or internal failure
    OperationFailed = 6,  // the operation ended with the dataset in ERROR or its task FAILED
    ConnectionFailed = 7, // the backend could not be reached (code 0: refused, timed out, TLS)
};

// Maps a rejected request to its exit code.
ExitCode exitCodeFor(const ServiceError &error);

// The exit code table shown at the end of `accrete-cli --help`.
QString exitCodeHelpText();

} // namespace Accrete
