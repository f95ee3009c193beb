#pragma once

#include <optional>

#include <QMetaType>
#include <QString>
#include <QStringList>

#include "serviceerror.h"

namespace Accrete {

// `POST /api/v1/dataset/{id}/add_media`: exactly one of `files`, `archive`, `s3Uri` or the
// on-premises `path` form, plus the optional parameters.
struct AddMediaRequest
{
    QStringList files;   // local files; a folder here is walked recursively by local backends
    QString archive;     // a local .zip, .tar or .tar.gz
    QString s3Uri;       // s3://bucket/prefix/ or an s3:// manifest (.txt, .csv, .parquet)
    QString path;        // on-premises form: an absolute folder or file on the serving machine

    bool autoReindex = false;
    QString assumeRole;
    std::optional<int> batchNImages;
    std::optional<int> batchNVideos;
    std::optional<int> batchNObjects;
    std::optional<bool> useSpot;

    int sourceCount() const;

    // Returns the 400 rejection for no or several sources, or for a malformed `s3Uri`, or
    // nullopt when the request is well formed. Does not look at the files themselves.
    std::optional<ServiceError> validate() const;

    // Builds a request from one local path: a file, a folder or an archive (by extension).
    static AddMediaRequest fromLocalPath(const QString &path, bool autoReindex = false);
};

// True for `s3://bucket` and `s3://bucket/prefix...` with a valid bucket name.
bool isValidS3Uri(const QString &uri);

// True when the file name ends in an archive extension Accrete reads as a batch
// (.zip, .tar, .tar.gz, .tgz, .tar.bz2, .tar.xz, .7z).
bool hasArchiveExtension(const QString &fileName);

// Creating a dataset from a local folder (embedded, `accrete-cli serve`) or an S3 path.
struct CreateDatasetRequest
{
    QString name;
    QString path;
};

} // namespace Accrete

Q_DECLARE_METATYPE(Accrete::AddMediaRequest)
