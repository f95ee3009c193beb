#include "metatypes.h"

#include <QMetaType>

#include "datasetservice.h"

namespace Accrete {

void registerCoreMetaTypes()
{
    qRegisterMetaType<Accrete::DatasetStatus>();
    qRegisterMetaType<Accrete::DatasetInfo>();
    qRegisterMetaType<Accrete::TaskInfo>();
    qRegisterMetaType<Accrete::MediaItem>();
    qRegisterMetaType<QList<Accrete::MediaItem>>();
    qRegisterMetaType<Accrete::ServiceError>();
    qRegisterMetaType<Accrete::AddMediaRequest>();
    qRegisterMetaType<Accrete::AddMediaAccepted>();
}

} // namespace Accrete
