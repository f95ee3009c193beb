#pragma once

#include <memory>

#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

#include "pipeline/media/mediasource.h"
#include "pipeline/media/s3config.h"

class QTemporaryFile;

namespace Accrete {

class S3Transfer;

// Objects read from S3. A folder (`s3://bucket/prefix/`) yields every object under the prefix,
// listed with ListObjectsV2 one page at a time. A `.txt` manifest lists one s3:// URI or key
// per line. A `.csv` manifest lists them in its first column, or in the column named path,
// file_path, filename, uri or s3_uri. A key in a manifest is a full object key in the
// manifest's bucket. Each object is streamed with GetObject when its data is first read, so
// listing the entries transfers no object data.
//
// Entries keep the key relative to the folder (or the manifest's folder) as relativePath,
// origin "s3" and the object's s3:// URI as originPath. Blocking network I/O: use it on a
// worker thread.
class S3Source final : public MediaSource
{
public:
    S3Source(const QString &s3Uri, const S3Config &config, const SourceLimits &limits);
    ~S3Source() override;

    bool next(SourceEntry *entry) override;
    qint64 read(char *data, qint64 maxSize) override;
    QString errorString() const override;

private:
    enum class Kind {
        Folder,
        TextManifest,
        CsvManifest,
        ParquetManifest,
    };

    struct ListedObject
    {
        QString key;
        qint64 size = -1;
    };

    // Stops the source with `error`; next() returns false from then on.
    bool fail(const QString &error);
    bool nextFromListing(SourceEntry *entry);
    bool nextFromManifest(SourceEntry *entry);
    bool loadListingPage();
    bool downloadManifest();
    // Reads the next value of the manifest into `value`; false at its end. Sets `reason`
    // instead for a line that cannot be used.
    bool readManifestValue(QString *value, QString *reason);
    void describe(const QString &bucket, const QString &key, qint64 size, SourceEntry *entry);
    QString relativePathOf(const QString &bucket, const QString &key) const;

    QString m_uri;
    S3Config m_config;
    SourceLimits m_limits;
    Kind m_kind = Kind::Folder;
    QString m_bucket;
    QString m_prefix; // the folder's key prefix, or the manifest's folder; ends with '/' or is empty
    QString m_manifestKey;

    bool m_started = false;
    bool m_ended = false;

    // Folder listing: one page at a time.
    QList<ListedObject> m_page;
    qsizetype m_pageIndex = 0;
    QString m_continuationToken;
    bool m_moreListingPages = true;

    // Manifest: downloaded to a temporary file, then read line by line.
    std::unique_ptr<QTemporaryFile> m_manifest;
    qint64 m_manifestLine = 0;
    int m_csvColumn = 0;

    // The current entry.
    QString m_currentBucket;
    QString m_currentKey;
    bool m_currentReadable = false;
    qint64 m_currentBytes = 0;
    std::unique_ptr<S3Transfer> m_transfer;

    qint64 m_totalSize = 0;
    QString m_error;
};

// Opens an S3 folder or manifest as a source (see S3Source).
std::unique_ptr<MediaSource> openS3Source(const QString &s3Uri, const S3Config &config,
                                          const SourceLimits &limits);

// Checks an add_media S3 source before the request is accepted: lists the first page of the
// folder (or downloads the manifest) and returns true when it yields at least one entry.
// Otherwise returns false with the cause in `reason` (missing credentials, endpoint not
// reachable, bucket or prefix not found, no objects, unsupported manifest). Blocking; each
// request is bounded by `config.requestTimeoutSeconds`.
bool probeS3Source(const QString &s3Uri, const S3Config &config, QString *reason);

} // namespace Accrete
