#pragma once

#include <QString>

#include "pipeline/media/mediaanalyzer.h"

namespace Accrete::VideoDecoder {

// Probes the file with libavformat (content only, the name is not used) and, when it is a
// video, samples settings.videoFrameSamples frames spread by timestamp. Content libavformat
// does not recognise is rejected as not media. Thread-safe.
MediaAnalysis analyzeVideo(const QString &path, const AnalyzerSettings &settings);

} // namespace Accrete::VideoDecoder
