#pragma once

#include <QList>
#include <QRegularExpression>
#include <QString>

namespace Accrete::TestSupport {

// What adding a fixture must do.
enum class FixtureOutcome {
    Added,    // every item of the fixture is added
    Rejected, // the fixture (or its bad member) is listed with a reason matching `reason`
};

// One kind of bad (or awkward but valid) input, made at test time next to good files.
//
// A fixture is a single file, an archive or a folder. Adding it must add `addedItems` items
// and, when `outcome` is Rejected, list `rejectedPath` (a path relative to the batch, or an
// archive member name) with a reason matching `reason`.
struct InputFixture
{
    QString name;         // row name for a _data table: "jpeg truncated in scan data"
    QString category;     // "image", "archive", "video", "path"
    QString path;         // absolute path of the file, archive or folder to add
    bool isArchive = false;
    FixtureOutcome outcome = FixtureOutcome::Added;
    int addedItems = 0;
    QString rejectedPath; // suffix of the rejected entry's relative path
    QRegularExpression reason;
    int expectedWidth = 0; // for images whose dimensions the test checks; 0 = unchecked
    int expectedHeight = 0;
    QString escapeName;    // a name that must not appear outside the dataset folder
};

// Each generator writes its fixtures into its own subfolder of `directory` with Qt,
// libarchive, ImageMagick (/usr/bin/convert-im6.q16) and FFmpeg (/usr/bin/ffmpeg), all from
// Debian packages, and returns them. Where a tool is missing, `error` names it and the
// returned list is empty.
QList<InputFixture> makeImageFixtures(const QString &directory, QString *error);
QList<InputFixture> makeArchiveFixtures(const QString &directory, QString *error);
QList<InputFixture> makeVideoFixtures(const QString &directory, QString *error);
QList<InputFixture> makePathFixtures(const QString &directory, QString *error);

// All four lists.
QList<InputFixture> makeAllInputFixtures(const QString &directory, QString *error);

// Returns a JPEG file's bytes with an APP1 Exif segment carrying `orientation` (1-8)
// inserted after the SOI marker.
QByteArray withExifOrientation(const QByteArray &jpeg, int orientation);

} // namespace Accrete::TestSupport
