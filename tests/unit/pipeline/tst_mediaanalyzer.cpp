#include <cmath>
#include <cstring>
#include <memory>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/display.h>
}
#include <libheif/heif.h>

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent>
#include <QtEndian>

#include "pipeline/media/mediaanalyzer.h"
#include "testsupport.h"

using namespace Accrete;

namespace {

const QString imageMagick = QStringLiteral("/usr/bin/convert-im6.q16");

QString dataFile(const char *name)
{
    return QDir(TestSupport::opencvDataDir()).filePath(QString::fromLatin1(name));
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : data) {
        crc ^= quint8(byte);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const char *type, const QByteArray &payload)
{
    QByteArray chunk(4, '\0');
    qToBigEndian(quint32(payload.size()), chunk.data());
    const QByteArray typed = QByteArray(type) + payload;
    chunk += typed;
    QByteArray crc(4, '\0');
    qToBigEndian(crc32(typed), crc.data());
    return chunk + crc;
}

// A structurally complete PNG whose IHDR declares `width` x `height` RGB pixels.
QByteArray pngDeclaring(quint32 width, quint32 height)
{
    QByteArray header(13, '\0');
    qToBigEndian(width, header.data());
    qToBigEndian(height, header.data() + 4);
    header[8] = 8; // bit depth
    header[9] = 2; // colour type: RGB
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", header)
        + pngChunk("IDAT", QByteArray::fromHex("789c030000000001")) + pngChunk("IEND", {});
}

// Inserts an Exif APP1 segment with a single Orientation tag right after the JPEG's SOI.
QByteArray withExifOrientation(const QByteArray &jpeg, int orientation)
{
    QByteArray tiff = QByteArray::fromHex("4d4d002a00000008" // big-endian TIFF, IFD0 at 8
                                          "0001" // one entry
                                          "011200030000000100") // Orientation, SHORT, 1 value
        + QByteArray(1, char(orientation))
        + QByteArray::fromHex("0000"
                              "00000000");
    const QByteArray payload = QByteArray("Exif\0\0", 6) + tiff;
    QByteArray segment = QByteArray::fromHex("ffe1");
    QByteArray length(2, '\0');
    qToBigEndian(quint16(payload.size() + 2), length.data());
    segment += length + payload;
    return jpeg.left(2) + segment + jpeg.mid(2);
}

// The picture as EXIF `orientation` says it should be shown, from the stored one.
QImage oriented(const QImage &stored, int orientation)
{
    const QTransform rotate90 = QTransform().rotate(90);
    switch (orientation) {
    case 2:
        return stored.mirrored(true, false);
    case 3:
        return stored.transformed(QTransform().rotate(180));
    case 4:
        return stored.mirrored(false, true);
    case 5:
        return stored.transformed(rotate90).mirrored(true, false);
    case 6:
        return stored.transformed(rotate90);
    case 7:
        return stored.transformed(rotate90).mirrored(false, true);
    case 8:
        return stored.transformed(QTransform().rotate(270));
    default:
        return stored;
    }
}

// Mean absolute difference per channel of two images reduced to 16x16.
double imageDifference(const QImage &a, const QImage &b)
{
    const QImage smallA = a.convertToFormat(QImage::Format_RGB32)
                              .scaled(16, 16, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    const QImage smallB = b.convertToFormat(QImage::Format_RGB32)
                              .scaled(16, 16, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    double sum = 0;
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) {
            const QRgb p = smallA.pixel(x, y);
            const QRgb q = smallB.pixel(x, y);
            sum += std::abs(qRed(p) - qRed(q)) + std::abs(qGreen(p) - qGreen(q))
                + std::abs(qBlue(p) - qBlue(q));
        }
    return sum / (16 * 16 * 3);
}

QList<double> meanColour(const QImage &image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    double red = 0;
    double green = 0;
    double blue = 0;
    for (int y = 0; y < rgb.height(); ++y)
        for (int x = 0; x < rgb.width(); ++x) {
            const QRgb pixel = rgb.pixel(x, y);
            red += qRed(pixel);
            green += qGreen(pixel);
            blue += qBlue(pixel);
        }
    const double count = double(rgb.width()) * rgb.height();
    return { red / count, green / count, blue / count };
}

double cosine(const std::vector<float> &a, const std::vector<float> &b)
{
    double dot = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        dot += double(a[i]) * b[i];
    return dot;
}

// Re-encodes `source` at 60 % of its size as a quality-70 JPEG.
bool writeResizedCopy(const QString &source, const QString &target)
{
    const QImage image(source);
    return !image.isNull()
        && image.scaled(image.size() * 0.6, Qt::KeepAspectRatio, Qt::SmoothTransformation)
               .save(target, "JPEG", 70);
}

// Runs /usr/bin/ffmpeg with `arguments`; returns false when it fails.
bool runFfmpeg(const QStringList &arguments)
{
    QProcess ffmpeg;
    ffmpeg.start(QStringLiteral("/usr/bin/ffmpeg"),
                 QStringList { QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-y") }
                     + arguments);
    return ffmpeg.waitForFinished(120'000) && ffmpeg.exitStatus() == QProcess::NormalExit
        && ffmpeg.exitCode() == 0;
}

// Encodes `image` as a HEIF file (HEVC for HEIC, AV1 for AVIF) whose irot/imir boxes say
// `orientation` (EXIF numbering). Returns false with `error` set when libheif has no encoder.
bool writeHeif(const QString &path, const QImage &image, int orientation, QString *error,
               heif_compression_format compression = heif_compression_HEVC)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    std::unique_ptr<heif_context, decltype(&heif_context_free)> context(heif_context_alloc(),
                                                                        &heif_context_free);
    heif_encoder *encoder = nullptr;
    heif_error status = heif_context_get_encoder_for_format(context.get(), compression, &encoder);
    if (status.code != heif_error_Ok) {
        *error = QString::fromUtf8(status.message);
        return false;
    }
    heif_encoder_set_lossy_quality(encoder, 92);

    heif_image *picture = nullptr;
    heif_image_create(rgb.width(), rgb.height(), heif_colorspace_RGB, heif_chroma_interleaved_RGB,
                      &picture);
    heif_image_add_plane(picture, heif_channel_interleaved, rgb.width(), rgb.height(), 8);
    int stride = 0;
    uint8_t *plane = heif_image_get_plane(picture, heif_channel_interleaved, &stride);
    for (int y = 0; y < rgb.height(); ++y)
        std::memcpy(plane + qsizetype(y) * stride, rgb.constScanLine(y), size_t(rgb.width()) * 3);

    heif_encoding_options *options = heif_encoding_options_alloc();
    options->image_orientation = heif_orientation(orientation);
    status = heif_context_encode_image(context.get(), picture, encoder, options, nullptr);
    heif_encoding_options_free(options);
    heif_encoder_release(encoder);
    heif_image_release(picture);
    if (status.code == heif_error_Ok)
        status = heif_context_write_to_file(context.get(), QFile::encodeName(path).constData());
    if (status.code != heif_error_Ok)
        *error = QString::fromUtf8(status.message);
    return status.code == heif_error_Ok;
}

// Copies the video stream of `input` into the MP4 `output` with a display matrix made by
// av_display_rotation_set(), which FFmpeg 5.1's command line cannot write.
bool remuxWithRotation(const QString &input, const QString &output, int degrees)
{
    AVFormatContext *reader = nullptr;
    if (avformat_open_input(&reader, QFile::encodeName(input).constData(), nullptr, nullptr) < 0)
        return false;
    AVFormatContext *writer = nullptr;
    bool ok = avformat_find_stream_info(reader, nullptr) >= 0
        && avformat_alloc_output_context2(&writer, nullptr, "mp4",
                                          QFile::encodeName(output).constData())
            >= 0;
    AVStream *stream = ok ? avformat_new_stream(writer, nullptr) : nullptr;
    ok = ok && stream
        && avcodec_parameters_copy(stream->codecpar, reader->streams[0]->codecpar) >= 0;
    if (ok) {
        stream->codecpar->codec_tag = 0;
        stream->time_base = reader->streams[0]->time_base;
        auto *matrix = reinterpret_cast<int32_t *>(
            av_stream_new_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, sizeof(int32_t) * 9));
        ok = matrix != nullptr;
        if (matrix)
            av_display_rotation_set(matrix, degrees);
    }
    ok = ok && avio_open(&writer->pb, QFile::encodeName(output).constData(), AVIO_FLAG_WRITE) >= 0
        && avformat_write_header(writer, nullptr) >= 0;
    AVPacket *packet = av_packet_alloc();
    while (ok && av_read_frame(reader, packet) >= 0) {
        if (packet->stream_index == 0) {
            av_packet_rescale_ts(packet, reader->streams[0]->time_base, stream->time_base);
            packet->stream_index = 0;
            ok = av_interleaved_write_frame(writer, packet) >= 0;
        }
        av_packet_unref(packet);
    }
    av_packet_free(&packet);
    ok = ok && av_write_trailer(writer) >= 0;
    if (writer) {
        if (writer->pb)
            avio_closep(&writer->pb);
        avformat_free_context(writer);
    }
    avformat_close_input(&reader);
    return ok;
}

} // namespace

class TestMediaAnalyzer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_temp;
    AnalyzerSettings m_settings;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_temp.isValid());
        QVERIFY2(QFile::exists(dataFile("baboon.jpg")),
                 "install the opencv-doc package for its sample photos");
    }

    void photosAnalysed_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("format");
        QTest::newRow("jpeg baboon") << dataFile("baboon.jpg") << QStringLiteral("jpeg");
        QTest::newRow("jpeg fruits") << dataFile("fruits.jpg") << QStringLiteral("jpeg");
        QTest::newRow("png smarties") << dataFile("smarties.png") << QStringLiteral("png");
        QTest::newRow("png graf1") << dataFile("graf1.png") << QStringLiteral("png");
    }

    void photosAnalysed()
    {
        QFETCH(QString, path);
        QFETCH(QString, format);
        const QImage reference(path);
        QVERIFY(!reference.isNull());

        const MediaAnalysis analysis = analyzeMedia(path, QFileInfo(path).fileName(), m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QCOMPARE(analysis.kind, MediaKind::Image);
        QCOMPARE(analysis.format, format);
        QCOMPARE(analysis.width, reference.width());
        QCOMPARE(analysis.height, reference.height());
        QVERIFY(!analysis.thumbnail.isNull());
        QCOMPARE(
            std::max(analysis.thumbnail.width(), analysis.thumbnail.height()),
            std::min(m_settings.thumbnailSize, std::max(reference.width(), reference.height())));
        QVERIFY(imageDifference(analysis.thumbnail, reference) < 6);
        QCOMPARE(int(analysis.features.embedding.size()), embeddingDimension());
    }

    void contentDecidesFormat()
    {
        const QString path = m_temp.filePath(QStringLiteral("really-a-png.jpg"));
        QVERIFY(QFile::copy(dataFile("smarties.png"), path));

        const MediaAnalysis analysis
            = analyzeMedia(path, QStringLiteral("really-a-png.jpg"), m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QCOMPARE(analysis.format, QStringLiteral("png"));
    }

    void badInputRejected_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("reason");
        const QByteArray jpeg = fileBytes(dataFile("baboon.jpg"));
        const QByteArray png = fileBytes(dataFile("smarties.png"));
        QByteArray junk(8192, '\0');
        QRandomGenerator generator(42);
        for (char &byte : junk)
            byte = char(generator.bounded(256));
        const auto archiveBytes = [](TestSupport::ArchiveFormat format) {
            QTemporaryDir temp;
            const QString path = temp.filePath(QStringLiteral("x.archive"));
            TestSupport::writeArchive(path, format, { { QStringLiteral("a.txt"), "hello", {} } });
            return fileBytes(path);
        };
        const QByteArray zip = archiveBytes(TestSupport::ArchiveFormat::Zip);
        const QByteArray tar = archiveBytes(TestSupport::ArchiveFormat::Tar);
        const QByteArray tarGz = archiveBytes(TestSupport::ArchiveFormat::TarGz);
        const QString archiveReason = QStringLiteral(
            "archive inside a batch is not extracted: add it as its own batch "
            "(accrete-cli add-media --archive)");

        QTest::newRow("zero bytes") << QByteArray() << QStringLiteral("empty file");
        QTest::newRow("junk bytes")
            << junk << QStringLiteral("not an image or video (unrecognised content)");
        QTest::newRow("plain text")
            << QByteArray("just some words\nin a text file\n")
            << QStringLiteral("not an image or video (unrecognised content)");
        QTest::newRow("zip archive") << zip << archiveReason;
        QTest::newRow("tar archive") << tar << archiveReason;
        QTest::newRow("tar.gz archive") << tarGz << archiveReason;
        QTest::newRow("bzip2 stream") << QByteArray("BZh91AY&SY") + QByteArray(64, '\x01')
                                      << archiveReason;
        QTest::newRow("xz stream") << QByteArray("\xfd" "7zXZ", 5) + QByteArray(1, '\0')
                + QByteArray(64, '\x01') << archiveReason;
        QTest::newRow("7z archive") << QByteArray("7z\xbc\xaf\x27\x1c") + QByteArray(64, '\x01')
                                    << archiveReason;
        QTest::newRow("jpeg cut in scan data")
            << jpeg.left(jpeg.size() * 2 / 3) << QStringLiteral("truncated image");
        QTest::newRow("jpeg cut in header") << jpeg.left(120) << QStringLiteral("truncated image");
        QTest::newRow("png cut in image data")
            << png.left(png.size() / 2) << QStringLiteral("truncated image");
        QTest::newRow("png declaring 100000x100000")
            << pngDeclaring(100000, 100000)
            << QStringLiteral("image dimensions 100000x100000 exceed the 200-megapixel limit");
    }

    void badInputRejected()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, reason);
        const QString path = m_temp.filePath(
            QStringLiteral("bad-%1.jpg").arg(QString::fromLatin1(QTest::currentDataTag())));
        QVERIFY(writeFile(path, content));

        const MediaAnalysis analysis = analyzeMedia(path, QFileInfo(path).fileName(), m_settings);
        QVERIFY(!analysis.ok);
        QCOMPARE(analysis.rejectionReason, reason);
        QVERIFY(analysis.thumbnail.isNull());
    }

    void unsupportedFormatNamed_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("reason");
        QTest::newRow("photoshop") << QStringLiteral("layers.psd")
                                   << QStringLiteral("unsupported image format: psd");
        QTest::newRow("jpeg 2000") << QStringLiteral("photo.jp2")
                                   << QStringLiteral("unsupported image format: j2k");
    }

    void unsupportedFormatNamed()
    {
        QFETCH(QString, fileName);
        QFETCH(QString, reason);
        const QString path = m_temp.filePath(fileName);
        QProcess convert;
        convert.start(imageMagick, { dataFile("fruits.jpg"), path });
        QVERIFY2(convert.waitForFinished(60'000), "ImageMagick did not finish");
        QCOMPARE(convert.exitCode(), 0);

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        QVERIFY(!analysis.ok);
        QCOMPARE(analysis.rejectionReason, reason);
    }

    void exifOrientationApplied_data()
    {
        QTest::addColumn<int>("orientation");
        QTest::addColumn<bool>("swapsSides");
        for (int orientation = 1; orientation <= 8; ++orientation)
            QTest::addRow("orientation %d", orientation) << orientation << (orientation >= 5);
    }

    void exifOrientationApplied()
    {
        QFETCH(int, orientation);
        QFETCH(bool, swapsSides);
        const QString source = dataFile("messi5.jpg");
        const QImage stored(source);
        QVERIFY(stored.width() != stored.height());
        const QString path = m_temp.filePath(QStringLiteral("oriented-%1.jpg").arg(orientation));
        QVERIFY(writeFile(path, withExifOrientation(fileBytes(source), orientation)));

        const MediaAnalysis analysis = analyzeMedia(path, QFileInfo(path).fileName(), m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QCOMPARE(analysis.width, swapsSides ? stored.height() : stored.width());
        QCOMPARE(analysis.height, swapsSides ? stored.width() : stored.height());
        QCOMPARE(analysis.thumbnail.width() > analysis.thumbnail.height(),
                 analysis.width > analysis.height);
        const QImage expected = oriented(stored, orientation);
        QVERIFY2(imageDifference(analysis.thumbnail, expected) < 6,
                 qPrintable(QString::number(imageDifference(analysis.thumbnail, expected))));
    }

    void perceptualHashMatchesResizedCopy()
    {
        const QStringList photos = { dataFile("baboon.jpg"), dataFile("fruits.jpg"),
                                     dataFile("messi5.jpg"), dataFile("building.jpg") };
        QList<MediaAnalysis> originals;
        for (const QString &photo : photos) {
            const QString copy
                = m_temp.filePath(QStringLiteral("copy-") + QFileInfo(photo).fileName());
            QVERIFY(writeResizedCopy(photo, copy));
            const MediaAnalysis original = analyzeMedia(photo, {}, m_settings);
            const MediaAnalysis resized = analyzeMedia(copy, {}, m_settings);
            QVERIFY(original.ok);
            QVERIFY(resized.ok);
            const int distance = hammingDistance(original.features.perceptualHash,
                                                 resized.features.perceptualHash);
            QVERIFY2(distance <= 10,
                     qPrintable(QStringLiteral("%1: distance %2").arg(photo).arg(distance)));

            // The embedding is closer to the copy than to any other photo.
            const double toCopy = cosine(original.features.embedding, resized.features.embedding);
            for (const MediaAnalysis &other : std::as_const(originals))
                QVERIFY(toCopy > cosine(original.features.embedding, other.features.embedding));
            originals.append(original);
        }
        for (int i = 0; i < originals.size(); ++i)
            for (int j = i + 1; j < originals.size(); ++j) {
                const int distance = hammingDistance(originals.at(i).features.perceptualHash,
                                                     originals.at(j).features.perceptualHash);
                QVERIFY2(distance > 10,
                         qPrintable(QStringLiteral("%1 vs %2: distance %3")
                                        .arg(photos.at(i), photos.at(j))
                                        .arg(distance)));
            }
    }

    void embeddingHasUnitLength()
    {
        const MediaAnalysis analysis = analyzeMedia(dataFile("fruits.jpg"), {}, m_settings);
        QVERIFY(analysis.ok);
        QCOMPARE(int(analysis.features.embedding.size()), embeddingDimension());
        double norm = 0;
        for (const float value : analysis.features.embedding)
            norm += double(value) * value;
        QVERIFY(std::abs(std::sqrt(norm) - 1.0) < 1e-4);
        const MediaAnalysis again = analyzeMedia(dataFile("fruits.jpg"), {}, m_settings);
        QCOMPARE(again.features.embedding, analysis.features.embedding);
        QCOMPARE(again.features.perceptualHash, analysis.features.perceptualHash);
    }

    void cmykJpegKeepsColours()
    {
        const QString source = dataFile("fruits.jpg");
        const QString path = m_temp.filePath(QStringLiteral("cmyk.jpg"));
        QProcess convert;
        convert.start(imageMagick,
                      { source, QStringLiteral("-colorspace"), QStringLiteral("CMYK"), path });
        QVERIFY2(convert.waitForFinished(60'000), "ImageMagick did not finish");
        QCOMPARE(convert.exitCode(), 0);
        QImageReader probe(path);
        QCOMPARE(probe.read().isNull(), false);

        const MediaAnalysis cmyk = analyzeMedia(path, {}, m_settings);
        const MediaAnalysis rgb = analyzeMedia(source, {}, m_settings);
        QVERIFY2(cmyk.ok, qPrintable(cmyk.rejectionReason));
        const QList<double> cmykMean = meanColour(cmyk.thumbnail);
        const QList<double> rgbMean = meanColour(rgb.thumbnail);
        for (int channel = 0; channel < 3; ++channel)
            QVERIFY2(std::abs(cmykMean.at(channel) - rgbMean.at(channel)) < 20,
                     qPrintable(QStringLiteral("channel %1: %2 vs %3")
                                    .arg(channel)
                                    .arg(cmykMean.at(channel))
                                    .arg(rgbMean.at(channel))));
    }

    void transparentPngFlattenedForFeatures()
    {
        QImage transparent(200, 100, QImage::Format_ARGB32);
        transparent.fill(Qt::transparent);
        const QString path = m_temp.filePath(QStringLiteral("transparent.png"));
        QVERIFY(transparent.save(path));
        QImage grey(200, 100, QImage::Format_RGB32);
        grey.fill(QColor(128, 128, 128));
        const QString greyPath = m_temp.filePath(QStringLiteral("grey.png"));
        QVERIFY(grey.save(greyPath));

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        const MediaAnalysis reference = analyzeMedia(greyPath, {}, m_settings);
        QVERIFY(analysis.ok);
        QVERIFY(reference.ok);
        QVERIFY(cosine(analysis.features.embedding, reference.features.embedding) > 0.999);
    }

    void videoFramesSampledByTimestamp_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("Megamind.avi") << dataFile("Megamind.avi");
        QTest::newRow("vtest.avi") << dataFile("vtest.avi");
    }

    void videoFramesSampledByTimestamp()
    {
        QFETCH(QString, path);
        if (!QFile::exists(path))
            QSKIP("this opencv-doc version does not ship the video");

        const MediaAnalysis analysis = analyzeMedia(path, QFileInfo(path).fileName(), m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QCOMPARE(analysis.kind, MediaKind::Video);
        QCOMPARE(analysis.format, QStringLiteral("avi"));
        QVERIFY(analysis.durationSeconds > 1);
        QVERIFY(analysis.width > 0);
        QVERIFY(analysis.height > 0);
        QCOMPARE(analysis.frames.size(), m_settings.videoFrameSamples);
        for (qsizetype i = 1; i < analysis.frames.size(); ++i)
            QVERIFY(analysis.frames.at(i).timestampSeconds
                    > analysis.frames.at(i - 1).timestampSeconds);
        QVERIFY(analysis.frames.first().timestampSeconds < analysis.durationSeconds * 0.2);
        QVERIFY(analysis.frames.last().timestampSeconds > analysis.durationSeconds * 0.8);
        QVERIFY(analysis.frames.last().timestampSeconds <= analysis.durationSeconds);
        for (const PictureFeatures &frame : analysis.frames)
            QCOMPARE(int(frame.embedding.size()), embeddingDimension());

        QVERIFY(!analysis.thumbnail.isNull());
        QCOMPARE(std::max(analysis.thumbnail.width(), analysis.thumbnail.height()),
                 m_settings.thumbnailSize);
        QCOMPARE(analysis.thumbnail.width() > analysis.thumbnail.height(),
                 analysis.width > analysis.height);
        double norm = 0;
        for (const float value : analysis.features.embedding)
            norm += double(value) * value;
        QVERIFY(std::abs(std::sqrt(norm) - 1.0) < 1e-4);
        // Frames of one scene are more alike than a frame and an unrelated photo.
        const MediaAnalysis photo = analyzeMedia(dataFile("fruits.jpg"), {}, m_settings);
        QVERIFY(cosine(analysis.frames.at(0).embedding, analysis.frames.at(1).embedding)
                > cosine(analysis.frames.at(0).embedding, photo.features.embedding));
    }

    void truncatedVideoKeepsDecodedFrames()
    {
        const QByteArray video = fileBytes(dataFile("Megamind.avi"));
        QVERIFY(!video.isEmpty());
        const QString path = m_temp.filePath(QStringLiteral("cut.avi"));
        QVERIFY(writeFile(path, video.left(video.size() / 2)));

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QVERIFY(!analysis.frames.isEmpty());
        for (qsizetype i = 1; i < analysis.frames.size(); ++i)
            QVERIFY(analysis.frames.at(i).timestampSeconds
                    > analysis.frames.at(i - 1).timestampSeconds);
    }

    void heifDecodedWithOrientation_data()
    {
        QTest::addColumn<int>("orientation");
        QTest::addColumn<int>("compression");
        QTest::addColumn<QString>("format");
        const int hevc = heif_compression_HEVC;
        QTest::newRow("heic normal") << 1 << hevc << QStringLiteral("heic");
        QTest::newRow("heic rotated 90 clockwise") << 6 << hevc << QStringLiteral("heic");
        QTest::newRow("heic mirrored") << 2 << hevc << QStringLiteral("heic");
        QTest::newRow("avif rotated 270 clockwise")
            << 8 << int(heif_compression_AV1) << QStringLiteral("avif");
    }

    void heifDecodedWithOrientation()
    {
        QFETCH(int, orientation);
        QFETCH(int, compression);
        QFETCH(QString, format);
        const QImage source = QImage(dataFile("messi5.jpg"))
                                  .scaled(400, 400, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        const QString path = m_temp.filePath(
            QStringLiteral("photo-%1.%2").arg(QString::number(orientation), format));
        QString error;
        if (!writeHeif(path, source, orientation, &error, heif_compression_format(compression)))
            QSKIP(qPrintable(QStringLiteral("libheif cannot encode %1: %2").arg(format, error)));

        const MediaAnalysis analysis = analyzeMedia(path, QStringLiteral("photo.jpg"), m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QCOMPARE(analysis.format, format);
        const QImage expected = oriented(source, orientation);
        QCOMPARE(analysis.width, expected.width());
        QCOMPARE(analysis.height, expected.height());
        QVERIFY2(imageDifference(analysis.thumbnail, expected) < 8,
                 qPrintable(QString::number(imageDifference(analysis.thumbnail, expected))));
    }

    void truncatedHeicRejected()
    {
        const QImage source(dataFile("fruits.jpg"));
        const QString path = m_temp.filePath(QStringLiteral("cut.heic"));
        QString error;
        if (!writeHeif(path, source, 1, &error))
            QSKIP(qPrintable(QStringLiteral("libheif cannot encode HEVC: ") + error));
        QVERIFY(QFile::resize(path, QFileInfo(path).size() / 2));

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        QVERIFY(!analysis.ok);
        QCOMPARE(analysis.rejectionReason, QStringLiteral("truncated image"));
    }

    void variableFrameRateSampledByTimestamp()
    {
        // 50 frames 0.16 s apart, then 50 frames 0.02 s apart: a constant-rate assumption
        // would place the samples far from their targets.
        const QString path = m_temp.filePath(QStringLiteral("vfr.mp4"));
        QVERIFY(runFfmpeg({ QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                            QStringLiteral("testsrc=duration=4:rate=25:size=320x240"),
                            QStringLiteral("-vf"),
                            QStringLiteral("setpts='if(lt(N,50),N*4,200+(N-50)*0.5)/25/TB'"),
                            QStringLiteral("-fps_mode"), QStringLiteral("vfr"),
                            QStringLiteral("-c:v"), QStringLiteral("libx264"),
                            QStringLiteral("-pix_fmt"), QStringLiteral("yuv420p"), path }));

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QCOMPARE(analysis.format, QStringLiteral("mp4"));
        QVERIFY(analysis.durationSeconds > 8.5);
        QCOMPARE(analysis.frames.size(), m_settings.videoFrameSamples);
        const int samples = m_settings.videoFrameSamples;
        for (int i = 0; i < samples; ++i) {
            const double target = analysis.durationSeconds * (i + 0.5) / samples;
            const double timestamp = analysis.frames.at(i).timestampSeconds;
            QVERIFY2(timestamp >= target - 0.17 && timestamp <= target + 0.17,
                     qPrintable(QStringLiteral("sample %1: %2 s for target %3 s")
                                    .arg(i)
                                    .arg(timestamp)
                                    .arg(target)));
        }
    }

    void shortClipKeepsDistinctFrames()
    {
        const QString path = m_temp.filePath(QStringLiteral("short.mp4"));
        QVERIFY(
            runFfmpeg({ QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                        QStringLiteral("testsrc=rate=25:size=160x120"), QStringLiteral("-frames:v"),
                        QStringLiteral("3"), QStringLiteral("-c:v"), QStringLiteral("libx264"),
                        QStringLiteral("-pix_fmt"), QStringLiteral("yuv420p"), path }));

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QVERIFY(!analysis.frames.isEmpty());
        QVERIFY(analysis.frames.size() <= 3);
        for (qsizetype i = 1; i < analysis.frames.size(); ++i)
            QVERIFY(analysis.frames.at(i).timestampSeconds
                    > analysis.frames.at(i - 1).timestampSeconds);
        QCOMPARE(analysis.width, 160);
        QCOMPARE(analysis.height, 120);
        QVERIFY(!analysis.thumbnail.isNull());
    }

    void portraitVideoRotated()
    {
        // A 320x240 stream whose display matrix turns it a quarter turn, as phones record.
        // Which way it turns is left to FFmpeg's rendering below.
        const QString landscape = m_temp.filePath(QStringLiteral("landscape.mp4"));
        const QString path = m_temp.filePath(QStringLiteral("portrait.mp4"));
        QVERIFY(runFfmpeg({ QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                            QStringLiteral("testsrc=duration=1:rate=25:size=320x240"),
                            QStringLiteral("-c:v"), QStringLiteral("libx264"),
                            QStringLiteral("-pix_fmt"), QStringLiteral("yuv420p"), landscape }));
        QVERIFY(remuxWithRotation(landscape, path, 90));

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QCOMPARE(analysis.width, 240);
        QCOMPARE(analysis.height, 320);
        QVERIFY(analysis.thumbnail.height() > analysis.thumbnail.width());
        // FFmpeg's own rendering of the frame at 10 % of the duration, rotated by its
        // autorotate filter, is the reference.
        const QString rendered = m_temp.filePath(QStringLiteral("portrait-frame.png"));
        QVERIFY(runFfmpeg({ QStringLiteral("-ss"), QStringLiteral("0.1"), QStringLiteral("-i"),
                            path, QStringLiteral("-frames:v"), QStringLiteral("1"), rendered }));
        const QImage expected(rendered);
        QCOMPARE(expected.size(), QSize(240, 320));
        QVERIFY2(imageDifference(analysis.thumbnail, expected) < 6,
                 qPrintable(QString::number(imageDifference(analysis.thumbnail, expected))));
    }

    void videoWithoutFramesRejected_data()
    {
        QTest::addColumn<int>("keepBytes");
        QTest::addColumn<QString>("reason");
        QTest::newRow("avi header only") << 4096 << QStringLiteral("truncated video");
    }

    void videoWithoutFramesRejected()
    {
        QFETCH(int, keepBytes);
        QFETCH(QString, reason);
        const QByteArray video = fileBytes(dataFile("Megamind.avi"));
        const QString path = m_temp.filePath(QStringLiteral("header-only.avi"));
        QVERIFY(writeFile(path, video.left(keepBytes)));

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        QVERIFY(!analysis.ok);
        QCOMPARE(analysis.rejectionReason, reason);
    }

    void audioOnlyRejected()
    {
        const QString path = m_temp.filePath(QStringLiteral("tone.wav"));
        QVERIFY(runFfmpeg({ QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                            QStringLiteral("sine=frequency=440:duration=1"), path }));

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        QVERIFY(!analysis.ok);
        QCOMPARE(analysis.rejectionReason, QStringLiteral("no video stream"));
    }

    void parallelAnalysisMatchesSequential()
    {
        QStringList paths = TestSupport::opencvPhotos().mid(0, 12);
        paths.append(dataFile("Megamind.avi"));
        QVERIFY(paths.size() >= 10);
        QList<MediaAnalysis> sequential;
        for (const QString &path : std::as_const(paths))
            sequential.append(analyzeMedia(path, {}, m_settings));

        QThreadPool pool;
        pool.setMaxThreadCount(4);
        const AnalyzerSettings settings = m_settings;
        const QList<MediaAnalysis> parallel
            = QtConcurrent::blockingMapped(&pool, paths, [settings](const QString &path) {
                  return analyzeMedia(path, {}, settings);
              });

        QCOMPARE(parallel.size(), sequential.size());
        for (qsizetype i = 0; i < paths.size(); ++i) {
            QCOMPARE(parallel.at(i).ok, sequential.at(i).ok);
            QCOMPARE(parallel.at(i).features.perceptualHash,
                     sequential.at(i).features.perceptualHash);
            QCOMPARE(parallel.at(i).features.embedding, sequential.at(i).features.embedding);
            QCOMPARE(parallel.at(i).frames.size(), sequential.at(i).frames.size());
        }
    }

    void sixteenBitPngDecoded()
    {
        QImage deep = QImage(dataFile("fruits.jpg")).convertToFormat(QImage::Format_RGBX64);
        const QString path = m_temp.filePath(QStringLiteral("deep.png"));
        QVERIFY(deep.save(path));
        QImageReader probe(path);
        QCOMPARE(probe.imageFormat(), QImage::Format_RGBX64);

        const MediaAnalysis analysis = analyzeMedia(path, {}, m_settings);
        const MediaAnalysis reference = analyzeMedia(dataFile("fruits.jpg"), {}, m_settings);
        QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
        QVERIFY(imageDifference(analysis.thumbnail, reference.thumbnail) < 4);
        QVERIFY(hammingDistance(analysis.features.perceptualHash, reference.features.perceptualHash)
                <= 4);
    }
};

QTEST_GUILESS_MAIN(TestMediaAnalyzer)
#include "tst_mediaanalyzer.moc"
