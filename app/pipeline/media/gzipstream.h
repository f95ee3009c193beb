#pragma once

#include <zlib.h>

#include <QByteArray>
#include <QFile>
#include <QString>

namespace Accrete {

// A gzip file decompressed with zlib in blocks of whatever size inflate() produces. Unlike
// libarchive's gzip filter, it hands out every byte decoded before a truncation or corruption
// and only then reports the error, so that the archive members before the damage survive.
// Concatenated gzip members are read as one stream. Not thread-safe.
class GzipStream final
{
public:
    explicit GzipStream(const QString &path);
    ~GzipStream();

    GzipStream(const GzipStream &) = delete;
    GzipStream &operator=(const GzipStream &) = delete;

    // Returns true when the file starts with the gzip magic bytes.
    static bool isGzipFile(const QString &path);

    bool open();

    // Points `block` at the next decompressed bytes and returns their count: 0 at the end of
    // the stream, -1 on a read error, truncation or corrupt data (see errorString()). The
    // block stays valid until the next call.
    qint64 read(const void **block);

    // Decompresses the rest of the stream, which checks its CRC. Returns false on an error.
    bool drain();

    QString errorString() const;

private:
    QFile m_file;
    z_stream m_stream {};
    bool m_initialised = false;
    bool m_finished = false;
    QByteArray m_input;
    QByteArray m_output;
    QString m_error;
};

} // namespace Accrete
