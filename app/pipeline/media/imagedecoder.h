#pragma once

#include <QImage>
#include <QString>

#include "pipeline/media/mediaanalyzer.h"

namespace Accrete::ImageDecoder {

// A still image decoded at a reduced size, oriented as it is meant to be shown.
struct DecodedImage
{
    bool recognised = false; // false: neither Qt nor libheif knows the content
    QString rejectionReason; // set when recognised but not decodable
    QString format; // "jpeg", "png", "heic", ...
    int width = 0; // full size after orientation, pixels
    int height = 0;
    QImage image; // longest side at most decodeSide(settings)
};

// Longest side of the decoded image: twice the thumbnail size, so that the final smooth
// downscale gives a sharp thumbnail, and never less than the feature size.
int decodeSide(const AnalyzerSettings &settings);

// Returns true when the file starts with an ISO-BMFF "ftyp" box naming a HEIF brand.
bool hasHeifSignature(const QByteArray &head);

// Decodes with QImageReader, the format decided from content only. Thread-safe.
DecodedImage decodeWithQt(const QString &path, const AnalyzerSettings &settings);

// Decodes the primary image of a HEIF/HEIC/AVIF file with libheif. Thread-safe.
DecodedImage decodeWithLibheif(const QString &path, const AnalyzerSettings &settings);

} // namespace Accrete::ImageDecoder
