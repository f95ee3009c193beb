#include "imagefeatures.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include <QColor>
#include <QPainter>

namespace Accrete::ImageFeatures {

namespace {

// Layout of "accrete-builtin-v1", in this order:
//   colour layout     4x4 grid cells x mean (R, G, B) - 0.5                        48 floats
//   colour histogram  sqrt of pixel fractions: 8 hues x 2 saturations x 2 values
//                     for chromatic pixels, then 4 value bins for grey pixels      36 floats
//   gradient layout   4x4 grid cells x 8 unsigned orientation bins of
//                     magnitude-weighted luma gradients, square-rooted             128 floats
// Each block is L2-normalised on its own, so that the three weigh the same, and then the whole
// vector is L2-normalised. The input is the picture flattened on grey and scaled so that its
// longest side is at most AnalyzerSettings::featureSize.
constexpr int gridSize = 4;
constexpr int layoutDimension = gridSize * gridSize * 3;
constexpr int hueBins = 8;
constexpr int greyBins = 4;
constexpr int histogramDimension = hueBins * 2 * 2 + greyBins;
constexpr int orientationBins = 8;
constexpr int gradientDimension = gridSize * gridSize * orientationBins;
constexpr int totalDimension = layoutDimension + histogramDimension + gradientDimension;

// Saturation and value below which a pixel counts as grey, where hue is meaningless.
constexpr double chromaticThreshold = 0.2;

constexpr int hashSide = 32;
constexpr int hashBlock = 8;

void normaliseRange(std::vector<float> &values, size_t begin, size_t end)
{
    double sum = 0;
    for (size_t i = begin; i < end; ++i)
        sum += double(values[i]) * values[i];
    if (sum <= 0)
        return;
    const double scale = 1.0 / std::sqrt(sum);
    for (size_t i = begin; i < end; ++i)
        values[i] = float(values[i] * scale);
}

int gridCell(int position, int extent)
{
    return std::min(gridSize - 1, position * gridSize / std::max(extent, 1));
}

double luma(QRgb pixel)
{
    return 0.299 * qRed(pixel) + 0.587 * qGreen(pixel) + 0.114 * qBlue(pixel);
}

void addColourLayout(const QImage &image, std::vector<float> &out)
{
    std::array<double, layoutDimension> sums {};
    std::array<int, gridSize * gridSize> counts {};
    for (int y = 0; y < image.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            const int cell = gridCell(y, image.height()) * gridSize + gridCell(x, image.width());
            sums[size_t(cell) * 3 + 0] += qRed(line[x]);
            sums[size_t(cell) * 3 + 1] += qGreen(line[x]);
            sums[size_t(cell) * 3 + 2] += qBlue(line[x]);
            ++counts[size_t(cell)];
        }
    }
    for (size_t i = 0; i < sums.size(); ++i) {
        const int count = counts[i / 3];
        out.push_back(count > 0 ? float(sums[i] / count / 255.0 - 0.5) : 0.0f);
    }
}

void addColourHistogram(const QImage &image, std::vector<float> &out)
{
    std::array<double, histogramDimension> bins {};
    for (int y = 0; y < image.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            float hue = 0;
            float saturation = 0;
            float value = 0;
            QColor::fromRgb(line[x]).getHsvF(&hue, &saturation, &value);
            if (saturation < chromaticThreshold || value < chromaticThreshold || hue < 0) {
                const int bin = std::min(greyBins - 1, int(value * greyBins));
                bins[size_t(hueBins * 4 + bin)] += 1;
                continue;
            }
            const int hueBin = std::min(hueBins - 1, int(hue * hueBins));
            const int saturationBin = saturation < 0.6f ? 0 : 1;
            const int valueBin = value < 0.6f ? 0 : 1;
            bins[size_t((hueBin * 2 + saturationBin) * 2 + valueBin)] += 1;
        }
    }
    const double total = std::max(1, image.width() * image.height());
    for (const double count : bins)
        out.push_back(float(std::sqrt(count / total)));
}

void addGradientLayout(const QImage &image, std::vector<float> &out)
{
    const int width = image.width();
    const int height = image.height();
    std::vector<double> grey(size_t(width) * size_t(height));
    for (int y = 0; y < height; ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < width; ++x)
            grey[size_t(y) * size_t(width) + size_t(x)] = luma(line[x]) / 255.0;
    }
    auto at = [&](int x, int y) {
        x = std::clamp(x, 0, width - 1);
        y = std::clamp(y, 0, height - 1);
        return grey[size_t(y) * size_t(width) + size_t(x)];
    };

    std::array<double, gradientDimension> bins {};
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const double dx = at(x + 1, y) - at(x - 1, y);
            const double dy = at(x, y + 1) - at(x, y - 1);
            const double magnitude = std::hypot(dx, dy);
            if (magnitude <= 0)
                continue;
            // Unsigned orientation in [0, pi): a dark-to-light edge and its reverse match.
            double angle = std::atan2(dy, dx);
            if (angle < 0)
                angle += std::numbers::pi;
            const int bin
                = std::min(orientationBins - 1, int(angle / std::numbers::pi * orientationBins));
            const int cell = gridCell(y, height) * gridSize + gridCell(x, width);
            bins[size_t(cell * orientationBins + bin)] += magnitude;
        }
    }
    for (const double sum : bins)
        out.push_back(float(std::sqrt(sum)));
}

} // namespace

QImage toStandardRgb(const QImage &image)
{
    const QImage::Format target
        = image.hasAlphaChannel() ? QImage::Format_ARGB32 : QImage::Format_RGB32;
    if (image.format() == target)
        return image;
    return image.convertToFormat(target);
}

QImage scaledToFit(const QImage &image, int longestSide)
{
    if (image.width() <= longestSide && image.height() <= longestSide)
        return image;
    return image.scaled(longestSide, longestSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

QImage flattenedOnGrey(const QImage &image)
{
    if (!image.hasAlphaChannel())
        return toStandardRgb(image);
    QImage flat(image.size(), QImage::Format_RGB32);
    flat.fill(QColor(128, 128, 128));
    QPainter painter(&flat);
    painter.drawImage(0, 0, image);
    painter.end();
    return flat;
}

quint64 perceptualHash(const QImage &image)
{
    const QImage small = toStandardRgb(image).scaled(hashSide, hashSide, Qt::IgnoreAspectRatio,
                                                     Qt::SmoothTransformation);
    std::array<std::array<double, hashSide>, hashSide> pixels {};
    for (int y = 0; y < hashSide; ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(small.constScanLine(y));
        for (int x = 0; x < hashSide; ++x)
            pixels[size_t(y)][size_t(x)] = luma(line[x]);
    }

    // cosines[u][x] = cos((2x + 1) u pi / 64) is the DCT-II basis. Scale factors are left out
    // because only comparisons between coefficients matter.
    std::array<std::array<double, hashSide>, hashBlock> cosines {};
    for (int u = 0; u < hashBlock; ++u)
        for (int x = 0; x < hashSide; ++x)
            cosines[size_t(u)][size_t(x)]
                = std::cos((2 * x + 1) * u * std::numbers::pi / (2 * hashSide));

    // Separable transform: rows first, then columns, keeping only the 8 lowest frequencies.
    std::array<std::array<double, hashBlock>, hashSide> rows {};
    for (int y = 0; y < hashSide; ++y)
        for (int u = 0; u < hashBlock; ++u) {
            double sum = 0;
            for (int x = 0; x < hashSide; ++x)
                sum += pixels[size_t(y)][size_t(x)] * cosines[size_t(u)][size_t(x)];
            rows[size_t(y)][size_t(u)] = sum;
        }
    std::array<double, hashBlock * hashBlock> coefficients {};
    for (int v = 0; v < hashBlock; ++v)
        for (int u = 0; u < hashBlock; ++u) {
            double sum = 0;
            for (int y = 0; y < hashSide; ++y)
                sum += rows[size_t(y)][size_t(u)] * cosines[size_t(v)][size_t(y)];
            coefficients[size_t(v * hashBlock + u)] = sum;
        }

    std::array<double, hashBlock * hashBlock - 1> withoutDc {};
    std::copy(coefficients.begin() + 1, coefficients.end(), withoutDc.begin());
    auto middle = withoutDc.begin() + withoutDc.size() / 2;
    std::nth_element(withoutDc.begin(), middle, withoutDc.end());
    const double median = *middle;

    quint64 hash = 0;
    for (size_t i = 0; i < coefficients.size(); ++i)
        if (coefficients[i] > median)
            hash |= quint64(1) << i;
    return hash;
}

std::vector<float> builtinEmbedding(const QImage &image)
{
    const QImage rgb = toStandardRgb(image);
    std::vector<float> out;
    out.reserve(totalDimension);
    addColourLayout(rgb, out);
    addColourHistogram(rgb, out);
    addGradientLayout(rgb, out);
    normaliseRange(out, 0, layoutDimension);
    normaliseRange(out, layoutDimension, layoutDimension + histogramDimension);
    normaliseRange(out, layoutDimension + histogramDimension, totalDimension);
    normaliseRange(out, 0, totalDimension);
    return out;
}

PictureFeatures computeFeatures(const QImage &image, int featureSize)
{
    const QImage flat = flattenedOnGrey(image);
    PictureFeatures features;
    features.perceptualHash = perceptualHash(flat);
    features.embedding = builtinEmbedding(scaledToFit(flat, std::max(featureSize, 8)));
    return features;
}

int builtinEmbeddingDimension()
{
    return totalDimension;
}

} // namespace Accrete::ImageFeatures
