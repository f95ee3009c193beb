#pragma once

namespace Accrete {

// Registers the core value types with Qt's meta-type system so that they travel through
// queued connections. Safe to call more than once.
void registerCoreMetaTypes();

} // namespace Accrete
