#include "pendingoperation.h"

namespace Accrete {

PendingOperation::PendingOperation(std::optional<DatasetStatus> statusBefore,
                                   std::chrono::milliseconds gracePeriod)
    : m_statusBefore(statusBefore)
    , m_graceDeadline(gracePeriod)
{
}

void PendingOperation::observe(DatasetStatus status)
{
    if (isBusyStatus(status))
        m_sawBusyStatus = true;
}

bool PendingOperation::isOutcome(DatasetStatus status) const
{
    if (m_sawBusyStatus)
        return true;
    if (m_statusBefore && *m_statusBefore != status)
        return true;
    return m_graceDeadline.hasExpired();
}

} // namespace Accrete
