#include "exitcode.h"

#include <QCoreApplication>

#include "core/serviceerror.h"

namespace Accrete {

ExitCode exitCodeFor(const ServiceError &error)
{
    switch (error.code()) {
    case 0:
        return ExitCode::ConnectionFailed;
    case 400:
    case 422:
        return ExitCode::BadRequest;
    case 404:
        return ExitCode::NotFound;
    case 409:
        return ExitCode::Conflict;
    default:
        return ExitCode::OtherRejection;
    }
}

QString exitCodeHelpText()
{
    return QCoreApplication::translate(
        "accrete-cli",
        "Exit codes:\n"
        "  0  success\n"
        "  1  usage error: unknown command or option, missing value, input path not found\n"
        "  2  request rejected as invalid (400 or 422), e.g. two media sources\n"
        "  3  dataset or task not found (404)\n"
        "  4  conflict (409): another operation runs or the dataset status does not allow it\n"
        "  5  any other rejection (401, 403, 500, 501) or an internal failure\n"
        "  6  the operation ended with the dataset in ERROR or its task FAILED\n"
        "  7  the backend could not be reached\n");
}

} // namespace Accrete
