#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

class QHttpMultiPart;
class QObject;

namespace Accrete {

// The fields and files of one multipart/form-data request. The form stores only paths, so it
// can be built again for a retry; build() opens each file and streams it from disk.
class MultipartForm
{
public:
    void addField(const QString &name, const QString &value);
    void addFile(const QString &name, const QString &filePath);

    bool isEmpty() const { return m_fields.isEmpty() && m_files.isEmpty(); }
    bool hasFiles() const { return !m_files.isEmpty(); }

    // Builds the body with `parent` as its QObject parent. Each file part gets a QFile body
    // device parented to the multipart, so no file is read into memory. Returns nullptr and
    // sets `error` when a file cannot be opened.
    QHttpMultiPart *build(QObject *parent, QString *error) const;

private:
    struct Field
    {
        QString name;
        QString value;
    };
    struct FilePart
    {
        QString name;
        QString path;
    };

    QList<Field> m_fields;
    QList<FilePart> m_files;
};

} // namespace Accrete
