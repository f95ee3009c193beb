#include "s3source.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryFile>
#include <QXmlStreamReader>

#include "core/logging.h"
#include "core/requests.h"
#include "pipeline/media/s3transfer.h"

namespace Accrete {

namespace {

constexpr qint64 maxListingPageBytes = 32 * 1024 * 1024;
constexpr qint64 maxManifestLineBytes = 64 * 1024;

QString trS3(const char *text)
{
    return QCoreApplication::translate("Accrete::S3", text);
}

// Splits `uri` (s3://bucket/key) into bucket and key. Returns false when it is no S3 URI.
bool splitS3Uri(const QString &uri, QString *bucket, QString *key)
{
    if (!uri.startsWith(QLatin1String("s3://")) || !isValidS3Uri(uri))
        return false;
    const QString rest = uri.mid(5);
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    *bucket = slash < 0 ? rest : rest.left(slash);
    *key = slash < 0 ? QString() : rest.mid(slash + 1);
    return !bucket->isEmpty();
}

// Splits one CSV record (RFC 4180 quoting: "a ""b"", c" is one field). Quoted fields that
// span lines are not joined.
QStringList splitCsvRecord(const QString &line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < line.size() && line.at(i + 1) == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            fields.append(field.trimmed());
            field.clear();
        } else {
            field += c;
        }
    }
    fields.append(field.trimmed());
    return fields;
}

bool isUnsafeRelativePath(const QString &path)
{
    if (path.isEmpty() || path.startsWith(QLatin1Char('/')))
        return true;
    const QStringList segments = path.split(QLatin1Char('/'));
    for (const QString &segment : segments) {
        if (segment == QLatin1String(".") || segment == QLatin1String(".."))
            return true;
    }
    return false;
}

} // namespace

S3Source::S3Source(const QString &s3Uri, const S3Config &config, const SourceLimits &limits)
    : m_uri(s3Uri)
    , m_config(config)
    , m_limits(limits)
{
}

S3Source::~S3Source() = default;

bool S3Source::fail(const QString &error)
{
    m_error = error;
    m_ended = true;
    return false;
}

bool S3Source::next(SourceEntry *entry)
{
    m_transfer.reset();
    m_currentReadable = false;
    m_currentBytes = 0;
    m_error.clear(); // read errors belong to the previous entry
    if (m_ended)
        return false;

    if (!m_started) {
        m_started = true;
        QString key;
        if (!splitS3Uri(m_uri, &m_bucket, &key))
            return fail(trS3("%1 is not a valid S3 URI (s3://bucket/prefix/)").arg(m_uri));
        if (!m_config.hasCredentials()) {
            return fail(trS3("no AWS credentials: set AWS_ACCESS_KEY_ID and "
                             "AWS_SECRET_ACCESS_KEY"));
        }
        const QString lowerKey = key.toLower();
        if (lowerKey.endsWith(QLatin1String(".txt")))
            m_kind = Kind::TextManifest;
        else if (lowerKey.endsWith(QLatin1String(".csv")))
            m_kind = Kind::CsvManifest;
        else if (lowerKey.endsWith(QLatin1String(".parquet")))
            m_kind = Kind::ParquetManifest;

        if (m_kind == Kind::Folder) {
            m_prefix = key;
            if (!m_prefix.isEmpty() && !m_prefix.endsWith(QLatin1Char('/')))
                m_prefix += QLatin1Char('/');
            qCInfo(lcPipeline) << "listing" << m_uri << "at" << m_config.endpointName();
        } else if (m_kind == Kind::ParquetManifest) {
            // NOTE: Debian 12 packages no C++ Parquet reader (Apache Arrow is not in bookworm),
            // so Parquet manifests are rejected rather than read.
            return fail(trS3("Parquet manifests are not supported by the embedded pipeline; "
                             "list the objects in a .txt or .csv manifest instead"));
        } else {
            m_manifestKey = key;
            m_prefix = key.left(key.lastIndexOf(QLatin1Char('/')) + 1);
            qCInfo(lcPipeline) << "reading manifest" << m_uri << "at" << m_config.endpointName();
            if (!downloadManifest())
                return false;
        }
    }

    return m_kind == Kind::Folder ? nextFromListing(entry) : nextFromManifest(entry);
}

bool S3Source::nextFromListing(SourceEntry *entry)
{
    for (;;) {
        while (m_pageIndex < m_page.size()) {
            const ListedObject object = m_page.at(m_pageIndex++);
            // Zero-byte keys ending in '/' are folder markers made by consoles, not objects.
            if (object.key.endsWith(QLatin1Char('/')))
                continue;
            describe(m_bucket, object.key, object.size, entry);
            return true;
        }
        if (!m_moreListingPages)
            return fail(QString());
        if (!loadListingPage())
            return false;
    }
}

bool S3Source::loadListingPage()
{
    // Parameters sorted by name: libcurl signs the query string in the order it is written.
    S3Transfer::QueryItems query;
    if (!m_continuationToken.isEmpty())
        query.append({ QStringLiteral("continuation-token"), m_continuationToken });
    query.append({ QStringLiteral("list-type"), QStringLiteral("2") });
    query.append({ QStringLiteral("max-keys"), QString::number(m_config.maxKeysPerPage) });
    query.append({ QStringLiteral("prefix"), m_prefix });

    S3Transfer transfer(m_config, m_bucket, QString(), query);
    QByteArray body;
    if (!transfer.start() || !transfer.readAll(&body, maxListingPageBytes)) {
        qCWarning(lcPipeline) << "listing" << m_uri << "failed:" << transfer.errorString();
        return fail(trS3("cannot list %1: %2").arg(m_uri, transfer.errorString()));
    }

    m_page.clear();
    m_pageIndex = 0;
    m_moreListingPages = false;
    m_continuationToken.clear();
    QXmlStreamReader xml(body);
    ListedObject object;
    while (!xml.atEnd() && !xml.hasError()) {
        xml.readNext();
        if (xml.isEndElement() && xml.name() == QLatin1String("Contents")) {
            if (!object.key.isEmpty())
                m_page.append(object);
            object = ListedObject();
            continue;
        }
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("Key"))
            object.key = xml.readElementText();
        else if (xml.name() == QLatin1String("Size"))
            object.size = xml.readElementText().toLongLong();
        else if (xml.name() == QLatin1String("IsTruncated"))
            m_moreListingPages = xml.readElementText() == QLatin1String("true");
        else if (xml.name() == QLatin1String("NextContinuationToken"))
            m_continuationToken = xml.readElementText();
    }
    if (xml.hasError())
        return fail(trS3("cannot list %1: invalid listing response: %2").arg(m_uri, xml.errorString()));
    if (m_moreListingPages && m_continuationToken.isEmpty())
        return fail(trS3("cannot list %1: a truncated listing has no continuation token").arg(m_uri));
    qCDebug(lcPipeline) << "listed" << m_page.size() << "objects of" << m_uri
                        << (m_moreListingPages ? "(more pages follow)" : "(last page)");
    return true;
}

bool S3Source::downloadManifest()
{
    m_manifest = std::make_unique<QTemporaryFile>(
        QDir(QDir::tempPath()).filePath(QStringLiteral("accrete-manifest-XXXXXX")));
    if (!m_manifest->open())
        return fail(trS3("cannot create a temporary file for the manifest: %1").arg(m_manifest->errorString()));

    S3Transfer transfer(m_config, m_bucket, m_manifestKey);
    if (!transfer.start()) {
        qCWarning(lcPipeline) << "reading manifest" << m_uri << "failed:" << transfer.errorString();
        return fail(trS3("cannot read the manifest %1: %2").arg(m_uri, transfer.errorString()));
    }
    QByteArray chunk(64 * 1024, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const qint64 count = transfer.read(chunk.data(), chunk.size());
        if (count < 0)
            return fail(trS3("cannot read the manifest %1: %2").arg(m_uri, transfer.errorString()));
        if (count == 0)
            break;
        total += count;
        if (total > m_limits.maxEntrySize)
            return fail(trS3("the manifest %1 is larger than %2 bytes").arg(m_uri).arg(m_limits.maxEntrySize));
        if (m_manifest->write(chunk.constData(), count) != count)
            return fail(trS3("cannot write the manifest to a temporary file: %1").arg(m_manifest->errorString()));
    }
    m_manifest->seek(0);
    return true;
}

bool S3Source::readManifestValue(QString *value, QString *reason)
{
    for (;;) {
        if (m_manifest->atEnd())
            return false;
        QByteArray bytes = m_manifest->readLine(maxManifestLineBytes);
        ++m_manifestLine;
        if (bytes.size() >= maxManifestLineBytes && !bytes.endsWith('\n')) {
            // Skip the rest of the overlong line.
            char c = 0;
            while (m_manifest->getChar(&c) && c != '\n') { }
            *reason = trS3("line %1 of the manifest is longer than %2 bytes")
                          .arg(m_manifestLine)
                          .arg(maxManifestLineBytes);
            return true;
        }
        if (m_manifestLine == 1 && bytes.startsWith("\xEF\xBB\xBF"))
            bytes.remove(0, 3); // UTF-8 byte order mark
        const QString line = QString::fromUtf8(bytes).trimmed();

        if (m_kind == Kind::TextManifest) {
            if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
                continue;
            *value = line;
            return true;
        }

        if (line.isEmpty())
            continue;
        const QStringList fields = splitCsvRecord(line);
        if (m_manifestLine == 1) {
            // A header with a known column name selects that column. Otherwise the first
            // column is read, and the first record is a header only when its first field has
            // no '.', no '/' and no s3:// scheme, so it cannot be an object key of a file.
            static const QStringList names{ QStringLiteral("path"), QStringLiteral("file_path"),
                                            QStringLiteral("filename"), QStringLiteral("uri"),
                                            QStringLiteral("s3_uri") };
            bool header = false;
            for (qsizetype i = 0; i < fields.size() && !header; ++i) {
                if (names.contains(fields.at(i).toLower())) {
                    m_csvColumn = int(i);
                    header = true;
                }
            }
            const QString first = fields.value(0);
            if (!header && !first.startsWith(QLatin1String("s3://"))
                && !first.contains(QLatin1Char('.')) && !first.contains(QLatin1Char('/')))
                header = true;
            if (header)
                continue;
        }
        *value = fields.value(m_csvColumn);
        if (value->isEmpty()) {
            *reason = trS3("line %1 of the manifest has no value in column %2")
                          .arg(m_manifestLine)
                          .arg(m_csvColumn + 1);
        }
        return true;
    }
}

bool S3Source::nextFromManifest(SourceEntry *entry)
{
    QString value;
    QString reason;
    if (!readManifestValue(&value, &reason))
        return fail(QString());

    if (!reason.isEmpty()) {
        *entry = SourceEntry {};
        entry->relativePath = value.isEmpty() ? QStringLiteral("line %1").arg(m_manifestLine) : value;
        entry->origin = QStringLiteral("s3");
        entry->originPath = m_uri;
        entry->rejectionReason = reason;
        return true;
    }

    QString bucket = m_bucket;
    QString key = value;
    if (value.startsWith(QLatin1String("s3://"))) {
        if (!splitS3Uri(value, &bucket, &key) || key.isEmpty()) {
            *entry = SourceEntry {};
            entry->relativePath = value;
            entry->origin = QStringLiteral("s3");
            entry->originPath = value;
            entry->rejectionReason = trS3("invalid S3 URI in the manifest");
            return true;
        }
    } else if (key.startsWith(QLatin1Char('/'))) {
        key = key.mid(1);
    }
    describe(bucket, key, -1, entry);
    return true;
}

QString S3Source::relativePathOf(const QString &bucket, const QString &key) const
{
    if (bucket == m_bucket && key.startsWith(m_prefix))
        return key.mid(m_prefix.size());
    return key;
}

void S3Source::describe(const QString &bucket, const QString &key, qint64 size, SourceEntry *entry)
{
    *entry = SourceEntry {};
    entry->relativePath = relativePathOf(bucket, key);
    entry->origin = QStringLiteral("s3");
    entry->originPath = QStringLiteral("s3://%1/%2").arg(bucket, key);
    entry->size = size;

    if (isUnsafeRelativePath(entry->relativePath) || key.endsWith(QLatin1Char('/'))) {
        entry->rejectionReason = trS3("unsafe or empty object key");
        return;
    }
    if (size > m_limits.maxEntrySize || (size > 0 && m_totalSize + size > m_limits.maxTotalSize)) {
        entry->rejectionReason = trS3("too large");
        return;
    }
    m_currentBucket = bucket;
    m_currentKey = key;
    m_currentReadable = true;
}

qint64 S3Source::read(char *data, qint64 maxSize)
{
    if (!m_currentReadable) {
        m_error = trS3("the current entry is not readable");
        return -1;
    }
    if (!m_transfer) {
        m_transfer = std::make_unique<S3Transfer>(m_config, m_currentBucket, m_currentKey);
        if (!m_transfer->start()) {
            m_currentReadable = false;
            m_error = m_transfer->errorString();
            qCInfo(lcPipeline) << "cannot read" << m_currentKey << "of" << m_uri << ":" << m_error;
            return -1;
        }
        const qint64 length = m_transfer->contentLength();
        if (length > m_limits.maxEntrySize || m_totalSize + length > m_limits.maxTotalSize) {
            m_currentReadable = false;
            m_error = trS3("too large");
            return -1;
        }
    }
    const qint64 count = m_transfer->read(data, maxSize);
    if (count < 0) {
        m_currentReadable = false;
        m_error = trS3("cannot read %1: %2")
                      .arg(QStringLiteral("s3://%1/%2").arg(m_currentBucket, m_currentKey),
                           m_transfer->errorString());
        return -1;
    }
    m_currentBytes += count;
    m_totalSize += count;
    if (m_currentBytes > m_limits.maxEntrySize || m_totalSize > m_limits.maxTotalSize) {
        m_currentReadable = false;
        m_error = trS3("too large");
        return -1;
    }
    return count;
}

QString S3Source::errorString() const
{
    return m_error;
}

std::unique_ptr<MediaSource> openS3Source(const QString &s3Uri, const S3Config &config,
                                          const SourceLimits &limits)
{
    return std::make_unique<S3Source>(s3Uri, config, limits);
}

bool probeS3Source(const QString &s3Uri, const S3Config &config, QString *reason)
{
    S3Source source(s3Uri, config, SourceLimits());
    SourceEntry entry;
    if (source.next(&entry))
        return true;
    *reason = source.errorString().isEmpty()
        ? QCoreApplication::translate("Accrete::S3", "no objects found at %1").arg(s3Uri)
        : source.errorString();
    return false;
}

} // namespace Accrete
