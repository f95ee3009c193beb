#pragma once

#include <cstddef>
#include <cstdint>

#include <QString>

namespace Accrete::Fuzz {

// Creates the QCoreApplication the Qt image plugins and codecs need, once per process.
void ensureApplication();

// Writes `data` to this process's scratch file and returns its path. The file is reused by
// every input, so a run leaves one file behind at most.
QString writeScratchFile(const uint8_t *data, size_t size);

} // namespace Accrete::Fuzz
