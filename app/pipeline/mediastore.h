#pragma once

#include <QImage>
#include <QString>

namespace Accrete {

class MediaSource;
struct SourceEntry;

// The content-addressed media store of one dataset: `<dataset>/media/<ab>/<sha256><.ext>`,
// where `ab` are the first two hex digits of the SHA-256 of the bytes, and thumbnails under
// `<dataset>/thumbs/<ab>/<sha256>.jpg`. Equal content is stored once.
//
// Thread-safe for distinct entries: it keeps no state besides the dataset folder.
class MediaStore
{
public:
    struct StoredFile
    {
        QString sha256;       // hex
        QString relativePath; // relative to the dataset folder
        qint64 size = 0;
        bool alreadyStored = false; // the store had this content before
    };

    explicit MediaStore(const QString &datasetDir);

    QString datasetDir() const { return m_datasetDir; }
    QString absolutePath(const QString &relativePath) const;

    // Streams the current entry of `source` into a staging file inside the dataset folder
    // while computing its SHA-256, then renames it into place. A plain local file
    // (`entry.localFilePath`) is hashed from the source and then hard-linked when it is on
    // the same filesystem, copied otherwise. Returns false and sets `error` (a reason for
    // the user) when the entry cannot be read or stored.
    bool store(MediaSource &source, const SourceEntry &entry, StoredFile *stored, QString *error);

    // Writes `thumbnail` as JPEG for content `sha256` (kept when it already exists) and
    // returns its path relative to the dataset folder, or an empty string on failure.
    QString storeThumbnail(const QString &sha256, const QImage &thumbnail) const;

    // Removes the stored file of `relativePath`. Used when an entry was stored but then
    // rejected and no item refers to its content.
    void remove(const QString &relativePath) const;

    // Removes staging files that a stopped process left behind.
    void cleanStaging() const;

private:
    QString stagingDir() const;

    QString m_datasetDir;
};

} // namespace Accrete
