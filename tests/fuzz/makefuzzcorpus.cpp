// Writes the seed corpora of the fuzz targets: the bad-input fixtures of the test suite
// plus real opencv-doc photos, sorted into one folder per target.
//
//   make-fuzz-corpus OUTPUT_DIR

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QTemporaryDir>

#include <cstdio>

#include "inputfixtures.h"
#include "testsupport.h"

using namespace Accrete::TestSupport;

namespace {

void copyInto(const QString &source, const QString &folder, int *count)
{
    QDir().mkpath(folder);
    const QString target = QDir(folder).filePath(QStringLiteral("seed-%1").arg((*count)++));
    QFile::remove(target);
    QFile::copy(source, target);
}

} // namespace

int main(int argc, char **argv)
{
    QGuiApplication application(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: make-fuzz-corpus OUTPUT_DIR\n");
        return 1;
    }
    const QString output = QString::fromLocal8Bit(argv[1]);
    QTemporaryDir scratch;
    QString error;
    const QList<InputFixture> fixtures = makeAllInputFixtures(scratch.path(), &error);
    if (fixtures.isEmpty()) {
        std::fprintf(stderr, "cannot make the fixtures: %s\n", qPrintable(error));
        return 1;
    }

    int count = 0;
    const QString archiveCorpus = output + QStringLiteral("/archivesource");
    const QString mediaCorpus = output + QStringLiteral("/mediaanalyzer");
    for (const InputFixture &fixture : fixtures) {
        const QFileInfo info(fixture.path);
        // The compression bomb and the very large JPEG would make every fuzz run slow.
        if (!info.isFile() || info.size() > 2 * 1024 * 1024)
            continue;
        copyInto(fixture.path, fixture.isArchive ? archiveCorpus : mediaCorpus, &count);
    }
    const QStringList photos = opencvPhotos();
    for (int i = 0; i < photos.size() && i < 6; ++i)
        copyInto(photos.at(i), mediaCorpus, &count);
    const QString smallArchive = scratch.filePath(QStringLiteral("photos.tar.gz"));
    if (!makePhotoArchive(smallArchive, ArchiveFormat::TarGz, 2).isEmpty())
        copyInto(smallArchive, archiveCorpus, &count);
    std::printf("wrote %d seed files under %s\n", count, qPrintable(output));
    return 0;
}
