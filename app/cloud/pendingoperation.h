#pragma once

#include <chrono>
#include <optional>

#include <QDeadlineTimer>

#include "core/datasetstatus.h"

namespace Accrete {

// An add_media, reindex or create request that a remote server accepted, tracked by the
// dataset watch. The server returns 202 before the dataset changes status, so the status
// that a poll returns right after the request can still be the one from before it. The
// watch treats a settled status as the request's outcome only once the effect is visible:
// a busy status was seen, the status differs from the one before the request, or the grace
// period has passed.
class PendingOperation
{
public:
    PendingOperation() = default;
    PendingOperation(std::optional<DatasetStatus> statusBefore,
                     std::chrono::milliseconds gracePeriod);

    // Records a polled status.
    void observe(DatasetStatus status);

    // True when `status` (a settled one) is the request's outcome.
    bool isOutcome(DatasetStatus status) const;

private:
    std::optional<DatasetStatus> m_statusBefore;
    QDeadlineTimer m_graceDeadline;
    bool m_sawBusyStatus = false;
};

} // namespace Accrete
