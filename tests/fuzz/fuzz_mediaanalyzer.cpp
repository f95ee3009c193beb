// libFuzzer target: analyses an arbitrary byte string as a media file (format sniffing,
// image and video decoding, thumbnails, features). It must end without a crash or hang and
// allocate no more than the analyzer's pixel limit allows.

#include <cstddef>
#include <cstdint>

#include "fuzzsupport.h"
#include "pipeline/media/mediaanalyzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Accrete::Fuzz::ensureApplication();
    const QString path = Accrete::Fuzz::writeScratchFile(data, size);

    Accrete::AnalyzerSettings settings;
    settings.maxPixels = 16'000'000;
    settings.videoFrameSamples = 2;
    const Accrete::MediaAnalysis analysis =
        Accrete::analyzeMedia(path, QStringLiteral("input.bin"), settings);
    if (analysis.ok && (analysis.width <= 0 || analysis.height <= 0))
        __builtin_trap(); // an accepted item always has dimensions
    return 0;
}
