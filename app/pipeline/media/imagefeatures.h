#pragma once

#include <vector>

#include <QImage>

#include "pipeline/media/mediaanalyzer.h"

namespace Accrete::ImageFeatures {

// Returns `image` as 8-bit RGB: Format_ARGB32 when it has an alpha channel, Format_RGB32
// otherwise. Palette, grayscale, 16-bit and float images are converted; CMYK JPEGs already
// arrive as RGB from Qt's decoder.
QImage toStandardRgb(const QImage &image);

// Returns `image` scaled with Qt::SmoothTransformation so that its longest side is at most
// `longestSide`. Smaller images are returned unchanged.
QImage scaledToFit(const QImage &image, int longestSide);

// Returns an opaque Format_RGB32 copy of `image` with any alpha composited on mid grey, so
// that transparent pixels contribute the same neutral colour to every feature.
QImage flattenedOnGrey(const QImage &image);

// 64-bit DCT perceptual hash. The image is reduced to 32x32 luma, transformed with a 2-D DCT-II,
// and each of the 64 lowest-frequency coefficients (the top-left 8x8 block) sets its bit when
// it is above the median of that block without the DC term.
quint64 perceptualHash(const QImage &image);

// The "accrete-builtin-v1" descriptor, L2-normalised, embeddingDimension() floats. See the
// definition for its layout.
std::vector<float> builtinEmbedding(const QImage &image);

// Computes the hash and embedding of a decoded picture. `featureSize` bounds the longest side
// of the image the embedding is computed on.
PictureFeatures computeFeatures(const QImage &image, int featureSize);

int builtinEmbeddingDimension();

} // namespace Accrete::ImageFeatures
