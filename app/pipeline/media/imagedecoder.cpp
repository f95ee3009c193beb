#include "imagedecoder.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include <libheif/heif.h>

#include <QCoreApplication>
#include <QFile>
#include <QImageReader>

#include "core/logging.h"

namespace Accrete::ImageDecoder {

namespace {

enum class Structure {
    Complete,
    Truncated,
    Corrupt,
    Unknown,
};

QString translated(const char *text)
{
    return QCoreApplication::translate("Accrete::Media", text);
}

QString dimensionsRejection(qint64 width, qint64 height, qint64 maxPixels)
{
    return QCoreApplication::translate("Accrete::Media",
                                       "image dimensions %1x%2 exceed the %3-megapixel limit")
        .arg(width)
        .arg(height)
        .arg(maxPixels / 1'000'000);
}

bool isRestartOrStandalone(uchar marker)
{
    return (marker >= 0xD0 && marker <= 0xD8) || marker == 0x01;
}

// Walks the JPEG marker segments up to EOI, skipping entropy-coded data. libjpeg accepts a
// stream cut in its scan data (it pads it with grey and only warns), so this walk is what
// tells a truncated file from a complete one.
Structure jpegStructure(const uchar *data, qint64 size)
{
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return Structure::Corrupt;
    qint64 pos = 2;
    for (;;) {
        while (pos < size && data[pos] != 0xFF) // extraneous bytes, tolerated by libjpeg
            ++pos;
        while (pos < size && data[pos] == 0xFF) // fill bytes
            ++pos;
        if (pos >= size)
            return Structure::Truncated;
        const uchar marker = data[pos++];
        if (marker == 0xD9)
            return Structure::Complete;
        if (isRestartOrStandalone(marker))
            continue;
        if (pos + 2 > size)
            return Structure::Truncated;
        const qint64 length = (qint64(data[pos]) << 8) | data[pos + 1];
        if (length < 2)
            return Structure::Corrupt;
        if (pos + length > size)
            return Structure::Truncated;
        pos += length;
        if (marker != 0xDA)
            continue;
        // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte) or a restart marker
        // inside it, and by any other byte only at the next marker.
        while (pos + 1 < size
               && !(data[pos] == 0xFF && data[pos + 1] != 0x00
                    && !(data[pos + 1] >= 0xD0 && data[pos + 1] <= 0xD7)))
            ++pos;
        if (pos + 1 >= size)
            return Structure::Truncated;
    }
}

quint32 readBigEndian32(const uchar *data)
{
    return (quint32(data[0]) << 24) | (quint32(data[1]) << 16) | (quint32(data[2]) << 8)
        | quint32(data[3]);
}

// Walks the PNG chunks up to IEND.
Structure pngStructure(const uchar *data, qint64 size)
{
    static constexpr uchar signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    if (size < 8 || !std::equal(signature, signature + 8, data))
        return Structure::Corrupt;
    qint64 pos = 8;
    for (;;) {
        if (pos + 8 > size)
            return Structure::Truncated;
        const quint32 length = readBigEndian32(data + pos);
        if (length > 0x7FFFFFFFu)
            return Structure::Corrupt;
        const bool isEnd = std::equal(data + pos + 4, data + pos + 8, "IEND");
        if (pos + 12 + qint64(length) > size)
            return Structure::Truncated;
        if (isEnd)
            return Structure::Complete;
        pos += 12 + qint64(length);
    }
}

Structure fileStructure(QFile &file, const QByteArray &format)
{
    const bool isJpeg = format == "jpeg" || format == "jpg";
    if (!isJpeg && format != "png")
        return Structure::Unknown;
    const qint64 size = file.size();
    uchar *data = file.map(0, size);
    if (!data)
        return Structure::Unknown;
    const Structure structure = isJpeg ? jpegStructure(data, size) : pngStructure(data, size);
    file.unmap(data);
    return structure;
}

QString heifRejection(const heif_error &error, const QString &format)
{
    if (error.code == heif_error_Unsupported_filetype
        || error.code == heif_error_Unsupported_feature)
        return QCoreApplication::translate("Accrete::Media", "unsupported image format: %1")
            .arg(format);
    if (error.subcode == heif_suberror_End_of_data)
        return translated("truncated image");
    return translated("corrupt image data");
}

QSize fitWithin(QSize size, int longestSide)
{
    if (size.width() <= longestSide && size.height() <= longestSide)
        return size;
    return size.scaled(longestSide, longestSide, Qt::KeepAspectRatio).expandedTo(QSize(1, 1));
}

} // namespace

int decodeSide(const AnalyzerSettings &settings)
{
    return std::max(settings.thumbnailSize * 2, settings.featureSize);
}

bool hasHeifSignature(const QByteArray &head)
{
    if (head.size() < 12 || head.mid(4, 4) != "ftyp")
        return false;
    static const QList<QByteArray> brands = { "heic", "heix", "hevc", "hevx", "heim", "heis",
                                              "hevm", "hevs", "mif1", "msf1", "avif", "avis" };
    if (brands.contains(head.mid(8, 4)))
        return true;
    // Compatible brands follow the major brand and minor version, inside the ftyp box.
    const qint64 boxSize = std::min<qint64>(
        readBigEndian32(reinterpret_cast<const uchar *>(head.constData())), head.size());
    for (qint64 pos = 16; pos + 4 <= boxSize; pos += 4)
        if (brands.contains(head.mid(pos, 4)) && head.mid(pos, 4) != "mif1")
            return true;
    return false;
}

DecodedImage decodeWithQt(const QString &path, const AnalyzerSettings &settings)
{
    DecodedImage result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.recognised = true;
        result.rejectionReason
            = QCoreApplication::translate("Accrete::Media", "cannot open file: %1")
                  .arg(file.errorString());
        return result;
    }

    QImageReader reader(&file);
    reader.setDecideFormatFromContent(true);
    reader.setAutoTransform(true);
    const QByteArray format = reader.format();
    if (format.isEmpty())
        return result;
    result.recognised = true;
    result.format = QString::fromLatin1(format);

    switch (fileStructure(file, format)) {
    case Structure::Truncated:
        result.rejectionReason = translated("truncated image");
        return result;
    case Structure::Corrupt:
        result.rejectionReason = translated("corrupt image data");
        return result;
    case Structure::Complete:
    case Structure::Unknown:
        break;
    }

    // The header is read before any pixel buffer is allocated.
    const QSize storedSize = reader.size();
    if (storedSize.isValid()
        && qint64(storedSize.width()) * storedSize.height() > settings.maxPixels) {
        result.rejectionReason
            = dimensionsRejection(storedSize.width(), storedSize.height(), settings.maxPixels);
        return result;
    }

    // Qt's default limit (256 MB) would reject a legitimate large photo even though only a
    // scaled copy is kept, so the limit follows maxPixels at 4 bytes per pixel instead.
    const qint64 limitMegabytes = settings.maxPixels * 4 / (1024 * 1024) + 1;
    reader.setAllocationLimit(int(std::min<qint64>(limitMegabytes, 1 << 30)));
    reader.setQuality(100); // smooth scaling after JPEG DCT scaling
    if (storedSize.isValid())
        reader.setScaledSize(fitWithin(storedSize, decodeSide(settings)));

    const QImage image = reader.read();
    if (image.isNull()) {
        qCDebug(lcPipeline) << "QImageReader failed on" << path << reader.errorString();
        result.rejectionReason = reader.error() == QImageReader::UnsupportedFormatError
            ? QCoreApplication::translate("Accrete::Media", "unsupported image format: %1")
                  .arg(result.format)
            : translated("corrupt image data");
        return result;
    }

    QSize shownSize = storedSize.isValid() ? storedSize : image.size();
    if (reader.transformation() & QImageIOHandler::TransformationRotate90)
        shownSize.transpose();
    result.width = shownSize.width();
    result.height = shownSize.height();
    result.image = image;
    return result;
}

DecodedImage decodeWithLibheif(const QString &path, const AnalyzerSettings &settings)
{
    DecodedImage result;
    result.recognised = true;
    result.format = QStringLiteral("heif");

    std::unique_ptr<heif_context, decltype(&heif_context_free)> context(heif_context_alloc(),
                                                                        &heif_context_free);
    heif_error error
        = heif_context_read_from_file(context.get(), QFile::encodeName(path).constData(), nullptr);
    if (error.code != heif_error_Ok) {
        qCDebug(lcPipeline) << "libheif cannot read" << path << error.message;
        result.rejectionReason = heifRejection(error, result.format);
        return result;
    }

    heif_image_handle *rawHandle = nullptr;
    error = heif_context_get_primary_image_handle(context.get(), &rawHandle);
    if (error.code != heif_error_Ok) {
        result.rejectionReason = translated("corrupt image data");
        return result;
    }
    std::unique_ptr<heif_image_handle, decltype(&heif_image_handle_release)> handle(
        rawHandle, &heif_image_handle_release);

    // The handle's size is the size after the irot/imir transformations.
    const qint64 width = heif_image_handle_get_width(handle.get());
    const qint64 height = heif_image_handle_get_height(handle.get());
    if (width * height > settings.maxPixels) {
        result.rejectionReason = dimensionsRejection(width, height, settings.maxPixels);
        return result;
    }

    const bool hasAlpha = heif_image_handle_has_alpha_channel(handle.get()) != 0;
    heif_image *rawImage = nullptr;
    // Default decoding options apply the irot/imir transformations.
    error = heif_decode_image(handle.get(), &rawImage, heif_colorspace_RGB,
                              hasAlpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
                              nullptr);
    if (error.code != heif_error_Ok) {
        qCDebug(lcPipeline) << "libheif cannot decode" << path << error.message;
        result.rejectionReason = heifRejection(error, result.format);
        return result;
    }
    std::unique_ptr<heif_image, decltype(&heif_image_release)> image(rawImage, &heif_image_release);

    int stride = 0;
    const uint8_t *plane
        = heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
    const int decodedWidth = heif_image_get_width(image.get(), heif_channel_interleaved);
    const int decodedHeight = heif_image_get_height(image.get(), heif_channel_interleaved);
    if (!plane || decodedWidth <= 0 || decodedHeight <= 0) {
        result.rejectionReason = translated("corrupt image data");
        return result;
    }

    // The wrapper does not own the plane, so it is scaled (which copies) before libheif's
    // image is released.
    const QImage wrapped(plane, decodedWidth, decodedHeight, stride,
                         hasAlpha ? QImage::Format_RGBA8888 : QImage::Format_RGB888);
    const QSize target = fitWithin(wrapped.size(), decodeSide(settings));
    result.image = target == wrapped.size()
        ? wrapped.copy()
        : wrapped.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    result.width = decodedWidth;
    result.height = decodedHeight;
    return result;
}

} // namespace Accrete::ImageDecoder
