#include "videodecoder.h"

#include <QCoreApplication>

namespace Accrete::VideoDecoder {

MediaAnalysis analyzeVideo(const QString &path, const AnalyzerSettings &settings)
{
    Q_UNUSED(path)
    Q_UNUSED(settings)
    MediaAnalysis analysis;
    analysis.rejectionReason = QCoreApplication::translate(
        "Accrete::Media", "not an image or video (unrecognised content)");
    return analysis;
}

} // namespace Accrete::VideoDecoder
