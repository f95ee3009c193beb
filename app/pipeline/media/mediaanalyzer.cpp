#include "mediaanalyzer.h"

#include <bit>

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include "core/logging.h"
#include "pipeline/media/imagedecoder.h"
#include "pipeline/media/imagefeatures.h"
#include "pipeline/media/videodecoder.h"

namespace Accrete {

namespace {

QString translated(const char *text)
{
    return QCoreApplication::translate("Accrete::Media", text);
}

MediaAnalysis rejected(const QString &reason, const QString &format = {})
{
    MediaAnalysis analysis;
    analysis.rejectionReason = reason;
    analysis.format = format;
    return analysis;
}

MediaAnalysis analysisOfImage(const ImageDecoder::DecodedImage &decoded,
                              const AnalyzerSettings &settings)
{
    if (!decoded.rejectionReason.isEmpty())
        return rejected(decoded.rejectionReason, decoded.format);

    MediaAnalysis analysis;
    analysis.ok = true;
    analysis.kind = MediaKind::Image;
    analysis.format = decoded.format;
    analysis.width = decoded.width;
    analysis.height = decoded.height;
    const QImage rgb = ImageFeatures::toStandardRgb(decoded.image);
    analysis.thumbnail = ImageFeatures::scaledToFit(rgb, settings.thumbnailSize);
    analysis.features = ImageFeatures::computeFeatures(rgb, settings.featureSize);
    return analysis;
}

// Names the HEIF flavour from the ftyp major brand: "avif" for AV1 images, "heif" for the
// generic brands and "heic" for HEVC ones.
QString heifFormatName(const QByteArray &head)
{
    const QByteArray brand = head.mid(8, 4);
    if (brand == "avif" || brand == "avis")
        return QStringLiteral("avif");
    if (brand == "mif1" || brand == "msf1")
        return QStringLiteral("heif");
    return QStringLiteral("heic");
}

// True when `head` starts like a zip, tar, gzip, bzip2, xz or 7z file. An archive inside a
// batch is not expanded, so it gets a reason of its own rather than "unrecognised content".
// `head` must hold the first 262 bytes, because the tar magic sits at offset 257.
bool hasArchiveSignature(const QByteArray &head)
{
    static const QByteArray prefixes[] = {
        QByteArrayLiteral("PK\x03\x04"),             // zip
        QByteArrayLiteral("PK\x05\x06"),             // empty zip
        QByteArrayLiteral("PK\x07\x08"),             // spanned zip
        QByteArrayLiteral("\x1f\x8b\x08"),           // gzip, deflate
        QByteArrayLiteral("\xfd" "7zXZ\x00"),        // xz
        QByteArrayLiteral("7z\xbc\xaf\x27\x1c"),     // 7z
    };
    for (const QByteArray &prefix : prefixes) {
        if (head.startsWith(prefix))
            return true;
    }
    // bzip2: "BZh" and the block size digit.
    if (head.size() >= 4 && head.startsWith("BZh") && head.at(3) >= '1' && head.at(3) <= '9')
        return true;
    // POSIX and GNU tar: "ustar" at offset 257 of the first header block.
    return head.mid(257, 5) == "ustar";
}

} // namespace

MediaAnalysis analyzeMedia(const QString &path, const QString &nameHint,
                           const AnalyzerSettings &settings)
{
    // The name is only used in log lines: formats are decided from content.
    const QString name = nameHint.isEmpty() ? path : nameHint;

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        qCWarning(lcPipeline) << "cannot open" << name << file.errorString();
        return rejected(QCoreApplication::translate("Accrete::Media", "cannot open file: %1")
                            .arg(file.errorString()));
    }
    if (file.size() == 0)
        return rejected(translated("empty file"));
    // 512 bytes reach the tar magic at offset 257.
    const QByteArray head = file.read(512);
    file.close();

    if (hasArchiveSignature(head)) {
        qCDebug(lcPipeline) << "archive rejected" << name;
        return rejected(translated("archive inside a batch is not extracted: add it as its own "
                                   "batch (accrete-cli add-media --archive)"));
    }

    if (ImageDecoder::hasHeifSignature(head)) {
        ImageDecoder::DecodedImage decoded = ImageDecoder::decodeWithLibheif(path, settings);
        decoded.format = heifFormatName(head);
        if (!decoded.rejectionReason.isEmpty() && decoded.rejectionReason.contains(u"heif"))
            decoded.rejectionReason.replace(QStringLiteral("heif"), decoded.format);
        return analysisOfImage(decoded, settings);
    }

    const ImageDecoder::DecodedImage decoded = ImageDecoder::decodeWithQt(path, settings);
    if (decoded.recognised) {
        if (!decoded.rejectionReason.isEmpty())
            qCDebug(lcPipeline) << "image rejected" << name << decoded.rejectionReason;
        return analysisOfImage(decoded, settings);
    }

    MediaAnalysis video = VideoDecoder::analyzeVideo(path, settings);
    if (!video.ok)
        qCDebug(lcPipeline) << "media rejected" << name << video.rejectionReason;
    return video;
}

int embeddingDimension()
{
    return ImageFeatures::builtinEmbeddingDimension();
}

int hammingDistance(quint64 a, quint64 b)
{
    return std::popcount(a ^ b);
}

} // namespace Accrete
