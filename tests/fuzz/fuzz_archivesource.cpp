// libFuzzer target: reads an arbitrary byte string as an archive through the streamed
// archive source and drains every entry. It must end without a crash, hang or unbounded
// allocation, whatever the bytes are.

#include <array>
#include <cstddef>
#include <cstdint>

#include "fuzzsupport.h"
#include "pipeline/media/mediasource.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Accrete::Fuzz::ensureApplication();
    const QString path = Accrete::Fuzz::writeScratchFile(data, size);

    Accrete::SourceLimits limits;
    limits.maxEntrySize = 16 * 1024 * 1024;
    limits.maxTotalSize = 64 * 1024 * 1024;
    limits.minBytesForRatioCheck = 1024 * 1024;

    std::unique_ptr<Accrete::MediaSource> source = Accrete::openArchiveSource(path, limits);
    if (!source)
        return 0;
    std::array<char, 64 * 1024> buffer;
    Accrete::SourceEntry entry;
    for (int entries = 0; entries < 10'000 && source->next(&entry); ++entries) {
        if (!entry.rejectionReason.isEmpty())
            continue;
        while (source->read(buffer.data(), qint64(buffer.size())) > 0) {
        }
    }
    return 0;
}
