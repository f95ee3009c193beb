#include "gzipstream.h"

#include <QCoreApplication>

namespace Accrete {

namespace {

constexpr int blockSize = 64 * 1024;

// inflateInit2() window bits: 15 (the maximum window) plus 16 for a gzip header only.
constexpr int gzipWindowBits = 15 + 16;

} // namespace

GzipStream::GzipStream(const QString &path)
    : m_file(path)
    , m_input(blockSize, Qt::Uninitialized)
    , m_output(blockSize, Qt::Uninitialized)
{
}

GzipStream::~GzipStream()
{
    if (m_initialised)
        inflateEnd(&m_stream);
}

bool GzipStream::isGzipFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(2) == QByteArray("\x1f\x8b", 2);
}

bool GzipStream::open()
{
    if (!m_file.open(QIODevice::ReadOnly)) {
        m_error = m_file.errorString();
        return false;
    }
    if (inflateInit2(&m_stream, gzipWindowBits) != Z_OK) {
        m_error = QCoreApplication::translate("Accrete::Media", "cannot start gzip decompression");
        return false;
    }
    m_initialised = true;
    return true;
}

qint64 GzipStream::read(const void **block)
{
    if (!m_error.isEmpty())
        return -1;
    for (;;) {
        if (m_finished)
            return 0;
        if (m_stream.avail_in == 0) {
            const qint64 count = m_file.read(m_input.data(), m_input.size());
            if (count < 0) {
                m_error = m_file.errorString();
                return -1;
            }
            if (count == 0) {
                m_error = QCoreApplication::translate("Accrete::Media", "truncated gzip input");
                return -1;
            }
            m_stream.next_in = reinterpret_cast<Bytef *>(m_input.data());
            m_stream.avail_in = uInt(count);
        }

        m_stream.next_out = reinterpret_cast<Bytef *>(m_output.data());
        m_stream.avail_out = uInt(m_output.size());
        const int status = inflate(&m_stream, Z_NO_FLUSH);
        const qint64 produced = m_output.size() - qint64(m_stream.avail_out);

        if (status == Z_STREAM_END) {
            // Another gzip member may follow. Anything else after the end is ignored, as
            // gzip itself does with trailing zero padding.
            if (m_stream.avail_in == 0 && m_file.atEnd()) {
                m_finished = true;
            } else {
                if (m_stream.avail_in == 0) {
                    const qint64 count = m_file.read(m_input.data(), m_input.size());
                    m_stream.next_in = reinterpret_cast<Bytef *>(m_input.data());
                    m_stream.avail_in = uInt(std::max<qint64>(count, 0));
                }
                if (m_stream.avail_in >= 2 && m_stream.next_in[0] == 0x1f
                    && m_stream.next_in[1] == 0x8b)
                    inflateReset(&m_stream);
                else
                    m_finished = true;
            }
        } else if (status != Z_OK && status != Z_BUF_ERROR) {
            m_error = QCoreApplication::translate("Accrete::Media", "corrupt gzip data: %1")
                          .arg(QString::fromUtf8(m_stream.msg ? m_stream.msg : "inflate failed"));
            // Bytes decoded before the error are handed out first, and the error on the next call.
        }

        if (produced > 0) {
            *block = m_output.constData();
            return produced;
        }
        if (!m_error.isEmpty())
            return -1;
    }
}

bool GzipStream::drain()
{
    const void *block = nullptr;
    qint64 count = 0;
    while ((count = read(&block)) > 0) { }
    return count == 0;
}

QString GzipStream::errorString() const
{
    return m_error;
}

} // namespace Accrete
