#include "videodecoder.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>
}

#include <QCoreApplication>
#include <QFile>
#include <QTransform>

#include "core/logging.h"
#include "pipeline/media/imagedecoder.h"
#include "pipeline/media/imagefeatures.h"

namespace Accrete::VideoDecoder {

namespace {

// Bytes read for format probing, doubled from the minimum until libavformat is confident,
// the same schedule as av_probe_input_buffer() but without the file name's extension.
constexpr int minProbeSize = 2048;
constexpr int maxProbeSize = 1 << 20;

// Thumbnail position as a fraction of the duration: past fades from black at the start.
constexpr double thumbnailPosition = 0.1;

QString translated(const char *text)
{
    return QCoreApplication::translate("Accrete::Media", text);
}

// Sends FFmpeg's own messages to the accrete.pipeline category at debug level instead of
// stderr. Damaged input makes FFmpeg print several lines per file, and the rejection reason
// already tells the user what went wrong.
void logFfmpegMessage(void *context, int level, const char *format, va_list arguments)
{
    if (level > AV_LOG_WARNING || !lcPipeline().isDebugEnabled())
        return;
    char line[1024];
    int printPrefix = 1;
    av_log_format_line2(context, level, format, arguments, line, int(sizeof line), &printPrefix);
    qCDebug(lcPipeline).noquote() << "ffmpeg:" << QString::fromUtf8(line).trimmed();
}

void installFfmpegLogHandler()
{
    static std::once_flag installed;
    std::call_once(installed, [] { av_log_set_callback(logFfmpegMessage); });
}

MediaAnalysis rejected(const QString &reason, const QString &format = {})
{
    MediaAnalysis analysis;
    analysis.kind = MediaKind::Video;
    analysis.format = format;
    analysis.rejectionReason = reason;
    return analysis;
}

struct FormatContextDeleter
{
    void operator()(AVFormatContext *context) const { avformat_close_input(&context); }
};
struct CodecContextDeleter
{
    void operator()(AVCodecContext *context) const { avcodec_free_context(&context); }
};
struct FrameDeleter
{
    void operator()(AVFrame *frame) const { av_frame_free(&frame); }
};
struct PacketDeleter
{
    void operator()(AVPacket *packet) const { av_packet_free(&packet); }
};
struct ScaleContextDeleter
{
    void operator()(SwsContext *context) const { sws_freeContext(context); }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

// Returns the demuxer libavformat picks from the content alone, or nullptr when no demuxer is
// more than marginally confident.
const AVInputFormat *probeContent(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    QByteArray buffer;
    for (int size = minProbeSize; size <= maxProbeSize; size *= 2) {
        buffer += file.read(size - buffer.size());
        const int available = int(buffer.size());
        QByteArray padded = buffer;
        padded.append(QByteArray(AVPROBE_PADDING_SIZE, '\0'));
        AVProbeData probe {};
        probe.filename = "";
        probe.buf = reinterpret_cast<unsigned char *>(padded.data());
        probe.buf_size = available;
        int score = 0;
        const AVInputFormat *format = av_probe_input_format3(&probe, 1, &score);
        // Below AVPROBE_SCORE_RETRY a match is a guess; past the end of the file no more
        // bytes will make it better.
        if (format && score > AVPROBE_SCORE_RETRY)
            return format;
        if (available < size)
            break;
    }
    return nullptr;
}

bool isImageDemuxer(const AVInputFormat *format)
{
    const QByteArray name(format->name);
    return name.endsWith("_pipe") || name == "image2";
}

// Short container name: "avi", "mp4", "mov", "matroska", ...
QString containerName(const AVFormatContext *context)
{
    QString name = QString::fromLatin1(context->iformat->name).section(QLatin1Char(','), 0, 0);
    if (name == u"mov") {
        const AVDictionaryEntry *brand = av_dict_get(context->metadata, "major_brand", nullptr, 0);
        if (!brand || QByteArray(brand->value) != "qt  ")
            name = QStringLiteral("mp4");
    }
    return name;
}

// Decodes the video stream of an open file, one sampled frame at a time.
class FrameSampler
{
public:
    FrameSampler(AVFormatContext *format, int streamIndex, AVCodecContext *codec, int maxSide)
        : m_format(format)
        , m_stream(format->streams[streamIndex])
        , m_streamIndex(streamIndex)
        , m_codec(codec)
        , m_maxSide(maxSide)
        , m_frame(av_frame_alloc())
        , m_candidate(av_frame_alloc())
        , m_packet(av_packet_alloc())
    {
        m_startTime = m_stream->start_time != AV_NOPTS_VALUE ? m_stream->start_time : 0;
    }

    struct Sample
    {
        QImage image;
        double timestampSeconds = 0;
    };

    // Returns the first frame whose timestamp is at or after `seconds`, or the last frame
    // decoded before the stream ended. Seeks to the key frame before the target and decodes
    // forward, so that timestamps, not a frame rate, decide which frame is taken.
    std::optional<Sample> frameAt(double seconds)
    {
        const int64_t target = m_startTime
            + av_rescale_q(int64_t(seconds * AV_TIME_BASE), AVRational { 1, AV_TIME_BASE },
                           m_stream->time_base);
        if (av_seek_frame(m_format, m_streamIndex, target, AVSEEK_FLAG_BACKWARD) < 0
            && avformat_seek_file(m_format, m_streamIndex, INT64_MIN, m_startTime, m_startTime, 0)
                < 0) {
            qCDebug(lcPipeline) << "cannot seek to" << seconds << "s";
        }
        avcodec_flush_buffers(m_codec);
        av_frame_unref(m_candidate.get());
        bool haveCandidate = false;
        bool draining = false;

        for (;;) {
            if (!draining) {
                const int readStatus = av_read_frame(m_format, m_packet.get());
                if (readStatus < 0) {
                    // End of file or a read error on a truncated file: flush the decoder.
                    draining = true;
                    avcodec_send_packet(m_codec, nullptr);
                } else if (m_packet->stream_index != m_streamIndex) {
                    av_packet_unref(m_packet.get());
                    continue;
                } else {
                    const int sendStatus = avcodec_send_packet(m_codec, m_packet.get());
                    av_packet_unref(m_packet.get());
                    if (sendStatus < 0 && sendStatus != AVERROR(EAGAIN)) {
                        ++m_decodeErrors;
                        continue;
                    }
                }
            }

            for (;;) {
                const int status = avcodec_receive_frame(m_codec, m_frame.get());
                if (status == AVERROR(EAGAIN) && !draining)
                    break;
                if (status < 0) {
                    // The end of the stream, or a decoder that fails while draining.
                    if (status != AVERROR_EOF)
                        ++m_decodeErrors;
                    if (!draining)
                        break;
                    return haveCandidate ? convert(m_candidate.get()) : std::nullopt;
                }
                const int64_t timestamp = frameTimestamp(m_frame.get());
                if (timestamp == AV_NOPTS_VALUE || timestamp >= target)
                    return convert(m_frame.get());
                av_frame_unref(m_candidate.get());
                av_frame_move_ref(m_candidate.get(), m_frame.get());
                haveCandidate = true;
            }
        }
    }

    int decodeErrors() const { return m_decodeErrors; }

private:
    static int64_t frameTimestamp(const AVFrame *frame)
    {
        return frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp
                                                              : frame->pts;
    }

    std::optional<Sample> convert(const AVFrame *frame)
    {
        if (frame->width <= 0 || frame->height <= 0)
            return std::nullopt;
        // Non-square pixels are stretched to the display aspect ratio.
        double displayWidth = frame->width;
        if (frame->sample_aspect_ratio.num > 0 && frame->sample_aspect_ratio.den > 0)
            displayWidth = frame->width * av_q2d(frame->sample_aspect_ratio);
        const double scale
            = std::min(1.0, m_maxSide / std::max(displayWidth, double(frame->height)));
        const int width = std::max(1, int(std::lround(displayWidth * scale)));
        const int height = std::max(1, int(std::lround(frame->height * scale)));

        std::unique_ptr<SwsContext, ScaleContextDeleter> scaler(
            sws_getContext(frame->width, frame->height, AVPixelFormat(frame->format), width, height,
                           AV_PIX_FMT_RGB32, SWS_AREA, nullptr, nullptr, nullptr));
        if (!scaler)
            return std::nullopt;
        // AV_PIX_FMT_RGB32 is native-endian 0xAARRGGBB, the memory layout of QImage::Format_RGB32.
        QImage image(width, height, QImage::Format_RGB32);
        uint8_t *planes[4] = { image.bits(), nullptr, nullptr, nullptr };
        const int strides[4] = { int(image.bytesPerLine()), 0, 0, 0 };
        sws_scale(scaler.get(), frame->data, frame->linesize, 0, frame->height, planes, strides);

        const int64_t timestamp = frameTimestamp(frame);
        Sample sample;
        sample.image = image;
        sample.timestampSeconds = timestamp == AV_NOPTS_VALUE
            ? 0
            : double(timestamp - m_startTime) * av_q2d(m_stream->time_base);
        return sample;
    }

    AVFormatContext *m_format;
    AVStream *m_stream;
    int m_streamIndex;
    AVCodecContext *m_codec;
    int m_maxSide;
    int64_t m_startTime = 0;
    int m_decodeErrors = 0;
    FramePtr m_frame;
    FramePtr m_candidate;
    PacketPtr m_packet;
};

// Returns the index of the first video stream that is not a cover picture, or -1.
int findVideoStream(const AVFormatContext *context)
{
    for (unsigned i = 0; i < context->nb_streams; ++i) {
        const AVStream *stream = context->streams[i];
        if (stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO
            && !(stream->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return int(i);
    }
    return -1;
}

// Returns the clockwise rotation, in degrees (0, 90, 180 or 270), that shows the stream upright,
// from its display matrix (set by phones that record in portrait).
int displayRotation(const AVStream *stream)
{
    const uint8_t *matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
    if (!matrix)
        return 0;
    // av_display_rotation_get() returns the counter-clockwise angle.
    const double angle = -av_display_rotation_get(reinterpret_cast<const int32_t *>(matrix));
    if (std::isnan(angle))
        return 0;
    const int quarterTurns = int(std::lround(angle / 90.0));
    return ((quarterTurns % 4) + 4) % 4 * 90;
}

QImage rotated(const QImage &image, int degrees)
{
    return degrees == 0 ? image : image.transformed(QTransform().rotate(degrees));
}

double durationSeconds(const AVFormatContext *context, const AVStream *stream)
{
    if (context->duration != AV_NOPTS_VALUE && context->duration > 0)
        return double(context->duration) / AV_TIME_BASE;
    if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
        return double(stream->duration) * av_q2d(stream->time_base);
    return 0;
}

} // namespace

MediaAnalysis analyzeVideo(const QString &path, const AnalyzerSettings &settings)
{
    installFfmpegLogHandler();
    const AVInputFormat *probed = probeContent(path);
    if (!probed)
        return rejected(translated("not an image or video (unrecognised content)"));
    if (isImageDemuxer(probed)) {
        const QString format = QString::fromLatin1(probed->name).remove(QStringLiteral("_pipe"));
        return rejected(
            QCoreApplication::translate("Accrete::Media", "unsupported image format: %1")
                .arg(format),
            format);
    }

    AVFormatContext *rawFormat = nullptr;
    if (avformat_open_input(&rawFormat, QFile::encodeName(path).constData(), probed, nullptr) < 0)
        return rejected(translated("truncated video"), QString::fromLatin1(probed->name));
    FormatContextPtr format(rawFormat);
    const QString formatName = containerName(format.get());
    if (avformat_find_stream_info(format.get(), nullptr) < 0)
        qCDebug(lcPipeline) << "no stream information in" << path;

    const int streamIndex = findVideoStream(format.get());
    if (streamIndex < 0)
        return rejected(translated("no video stream"), formatName);
    const AVStream *stream = format->streams[streamIndex];

    const AVCodec *decoder = avcodec_find_decoder(stream->codecpar->codec_id);
    if (!decoder)
        return rejected(QCoreApplication::translate("Accrete::Media", "unsupported video codec: %1")
                            .arg(QString::fromLatin1(avcodec_get_name(stream->codecpar->codec_id))),
                        formatName);
    CodecContextPtr codec(avcodec_alloc_context3(decoder));
    if (!codec || avcodec_parameters_to_context(codec.get(), stream->codecpar) < 0)
        return rejected(translated("corrupt video data"), formatName);
    // Files are analysed in parallel by the worker pool, so each decoder gets one thread.
    codec->thread_count = 1;
    if (avcodec_open2(codec.get(), decoder, nullptr) < 0)
        return rejected(QCoreApplication::translate("Accrete::Media", "unsupported video codec: %1")
                            .arg(QString::fromLatin1(decoder->name)),
                        formatName);

    const double duration = durationSeconds(format.get(), stream);
    const int rotation = displayRotation(stream);
    FrameSampler sampler(format.get(), streamIndex, codec.get(),
                         ImageDecoder::decodeSide(settings));

    MediaAnalysis analysis;
    analysis.kind = MediaKind::Video;
    analysis.format = formatName;
    analysis.durationSeconds = duration;

    // Targets at the centres of equal slices of the duration; with an unknown duration only
    // the first frame is taken.
    const int samples = duration > 0 ? std::max(1, settings.videoFrameSamples) : 1;
    std::vector<float> embeddingSum(size_t(ImageFeatures::builtinEmbeddingDimension()), 0.0f);
    double lastTimestamp = -1;
    QImage firstFrame;
    for (int i = 0; i < samples; ++i) {
        const double target = duration * (i + 0.5) / samples;
        const std::optional<FrameSampler::Sample> sample = sampler.frameAt(target);
        if (!sample)
            continue;
        // A short clip or a truncated file maps several targets to one frame: keep it once.
        if (sample->timestampSeconds <= lastTimestamp)
            continue;
        lastTimestamp = sample->timestampSeconds;
        const QImage upright = rotated(sample->image, rotation);
        if (firstFrame.isNull())
            firstFrame = upright;

        PictureFeatures features = ImageFeatures::computeFeatures(upright, settings.featureSize);
        features.timestampSeconds = sample->timestampSeconds;
        for (size_t k = 0; k < embeddingSum.size() && k < features.embedding.size(); ++k)
            embeddingSum[k] += features.embedding[k];
        analysis.frames.append(features);
    }

    if (analysis.frames.isEmpty()) {
        qCDebug(lcPipeline) << "no frame decoded from" << path
                            << "decode errors:" << sampler.decodeErrors();
        return rejected(translated("truncated video"), formatName);
    }

    const std::optional<FrameSampler::Sample> thumbnailFrame
        = sampler.frameAt(duration * thumbnailPosition);
    const QImage thumbnailSource
        = thumbnailFrame ? rotated(thumbnailFrame->image, rotation) : firstFrame;

    analysis.ok = true;
    analysis.width = stream->codecpar->width;
    analysis.height = stream->codecpar->height;
    if (stream->codecpar->sample_aspect_ratio.num > 0
        && stream->codecpar->sample_aspect_ratio.den > 0)
        analysis.width
            = int(std::lround(analysis.width * av_q2d(stream->codecpar->sample_aspect_ratio)));
    if (rotation == 90 || rotation == 270)
        std::swap(analysis.width, analysis.height);
    analysis.thumbnail = ImageFeatures::scaledToFit(thumbnailSource, settings.thumbnailSize);

    // The video's features: the hash of its thumbnail frame and the mean frame embedding,
    // normalised again to unit length.
    analysis.features.perceptualHash = ImageFeatures::perceptualHash(thumbnailSource);
    double norm = 0;
    for (const float value : embeddingSum)
        norm += double(value) * value;
    norm = std::sqrt(norm);
    analysis.features.embedding = embeddingSum;
    if (norm > 0)
        for (float &value : analysis.features.embedding)
            value = float(value / norm);
    return analysis;
}

} // namespace Accrete::VideoDecoder
