#pragma once

#include <memory>
#include <utility>

#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

namespace Accrete {

// Receives the parts of one multipart/form-data request body as the HTTP library reads them.
// Parts named `files`, `files[]` or `archive` are streamed into a folder of their own under
// the upload directory, and each keeps the client's file name without its path. Every other
// part is kept in memory as a text field of at most maxFieldSize bytes.
//
// The folder is removed when the receiver is destroyed, unless release() handed it on.
// Used by one HTTP worker thread at a time.
class UploadReceiver
{
public:
    enum class Failure {
        None,
        TooLarge,      // the body exceeded the size limit
        FieldTooLarge, // a text field exceeded maxFieldSize
        WriteFailed,   // the upload folder or a file in it could not be written
    };

    static constexpr qint64 maxFieldSize = 64 * 1024;

    UploadReceiver(QString uploadDir, qint64 maxBodySize);
    ~UploadReceiver();
    UploadReceiver(const UploadReceiver &) = delete;
    UploadReceiver &operator=(const UploadReceiver &) = delete;

    // Starts a part. Returns false to stop reading the body; after a failure other than
    // TooLarge the remaining parts are read and discarded.
    bool beginPart(const QString &name, const QString &clientFileName);
    // Appends bytes to the current part. Returns false to stop reading the body.
    bool appendData(const char *data, qint64 size);
    // Closes the last part. Returns false when any part failed (see failure()).
    bool finish();

    // Adds a text field that arrived outside a multipart body (application/x-www-form-urlencoded).
    void addField(const QString &name, const QString &value);

    Failure failure() const { return m_failure; }
    QString failureDetail() const { return m_failureDetail; }

    // Absolute paths of the stored files of `name`, in the order they arrived. Parts that
    // arrived with neither a file name nor content (an empty form input) are left out.
    QStringList files(const QString &name) const;
    // Values of the text field `name`, in the order they arrived.
    QStringList fieldValues(const QString &name) const;
    QStringList fieldNames() const;

    // The request's folder; empty until the first file part arrives.
    QString folder() const { return m_folder; }
    // Hands the folder to the caller: the destructor no longer removes it.
    void release() { m_released = true; }

    // Returns `clientFileName` without directories, control characters or a name that would
    // address another folder ("." and ".."); empty when nothing usable is left.
    static QString sanitizeFileName(const QString &clientFileName);

private:
    struct StoredFile
    {
        QString name; // form field name
        QString path;
        QString clientFileName;
        qint64 size = 0;
    };

    bool fail(Failure failure, const QString &detail);
    bool closeCurrentFile();
    QString uniquePath(const QString &fileName);

    QString m_uploadDir;
    qint64 m_maxBodySize = 0;
    qint64 m_received = 0;
    QString m_folder;
    bool m_released = false;
    int m_unnamedCount = 0;

    QList<StoredFile> m_files;
    QList<std::pair<QString, QString>> m_fields; // name, value

    // The part being received: a file (m_currentFile open) or a text field.
    std::unique_ptr<QFile> m_currentFile;
    QString m_currentFieldName;
    QByteArray m_currentFieldValue;
    bool m_inField = false;

    Failure m_failure = Failure::None;
    QString m_failureDetail;
};

} // namespace Accrete
