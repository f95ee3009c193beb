#pragma once

#include <vector>

#include <QImage>
#include <QList>
#include <QString>

#include "core/mediaitem.h"

namespace Accrete {

// Name and dimension of the built-in embedding; recorded as a dataset's embedding config at
// its first index, and used for every later batch of that dataset.
inline constexpr const char *builtinEmbeddingModel = "accrete-builtin-v1";

struct AnalyzerSettings
{
    int thumbnailSize = 256;          // longest side of the stored thumbnail, pixels
    int featureSize = 64;             // longest side of the image the features are computed on
    qint64 maxPixels = 200'000'000;   // images declaring more pixels are rejected from the
                                      // header, before any allocation
    int videoFrameSamples = 8;        // frames sampled per video, spread by timestamp
};

// Features of one decoded picture: a whole image or a sampled video frame.
struct PictureFeatures
{
    quint64 perceptualHash = 0;      // 64-bit DCT hash; compare with Hamming distance
    std::vector<float> embedding;    // L2-normalised, `embeddingDimension()` floats
    double timestampSeconds = 0;     // frames only
};

// The outcome of analysing one stored file.
struct MediaAnalysis
{
    bool ok = false;
    QString rejectionReason;         // set when !ok: "truncated image", "unsupported format", ...
    MediaKind kind = MediaKind::Image;
    QString format;                  // sniffed from content: "jpeg", "png", "heic", "mp4", ...
    int width = 0;                   // after EXIF orientation
    int height = 0;
    double durationSeconds = 0;
    QImage thumbnail;                // at most thumbnailSize on its longest side; Format_RGB32,
                                     // or Format_ARGB32 when the picture has transparency
    PictureFeatures features;        // the image, or the mean over a video's frames
    QList<PictureFeatures> frames;   // videos: one per sampled frame
};

// Rejection reasons (lower case, translated in the "Accrete::Media" context): "empty file",
// "truncated image", "corrupt image data", "not an image or video (unrecognised content)",
// "unsupported image format: <fmt>", "image dimensions WxH exceed the N-megapixel limit",
// "no video stream", "truncated video", "corrupt video data", "unsupported video codec: <codec>",
// "cannot open file: <error>", "archive inside a batch is not extracted: add it as its own batch
// (accrete-cli add-media --archive)".
//
// Decodes the file at `path` (format sniffed from its content, `nameHint` only breaks ties),
// applies EXIF orientation, makes the thumbnail and computes the features. Thread-safe;
// called from worker threads. Never throws: failures come back as a rejection reason.
MediaAnalysis analyzeMedia(const QString &path, const QString &nameHint,
                           const AnalyzerSettings &settings);

// Number of floats in the built-in embedding: a 4x4 grid of mean colours, a coarse HSV
// histogram and a 4x4 grid of gradient-orientation histograms (see imagefeatures.cpp).
int embeddingDimension();

// Hamming distance between two perceptual hashes (0 = same picture).
int hammingDistance(quint64 a, quint64 b);

} // namespace Accrete
