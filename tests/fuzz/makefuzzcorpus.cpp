// Writes the seed corpora of the fuzz targets: the bad-input fixtures of the test suite
// plus real opencv-doc photos, sorted into one folder per target.
//
//   make-fuzz-corpus OUTPUT_DIR

#include <QBuffer>
#include <QCoreApplication>
#include <QImage>
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

void writeSeed(const QString &folder, const QByteArray &data, int *count)
{
    QDir().mkpath(folder);
    QFile file(QDir(folder).filePath(QStringLiteral("seed-%1").arg((*count)++)));
    if (file.open(QIODevice::WriteOnly))
        file.write(data);
}

QByteArray multipartRequest(const QByteArray &target, const QList<QPair<QByteArray, QByteArray>> &parts,
                            const QByteArray &fileBytes)
{
    const QByteArray boundary = "accrete-fuzz-boundary";
    QByteArray body;
    for (const auto &part : parts) {
        body += "--" + boundary + "\r\n";
        if (part.first == "files" || part.first == "archive") {
            body += "Content-Disposition: form-data; name=\"" + part.first + "\"; filename=\""
                + part.second + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + fileBytes
                + "\r\n";
        } else {
            body += "Content-Disposition: form-data; name=\"" + part.first + "\"\r\n\r\n"
                + part.second + "\r\n";
        }
    }
    body += "--" + boundary + "--\r\n";
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary="
        + boundary + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// Raw HTTP requests for fuzz_httprequest; DATASET_ID is replaced by the fuzzer.
void writeHttpSeeds(const QString &folder, const QByteArray &smallPng, const QByteArray &smallArchive,
                    int *count)
{
    const QByteArray head = " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const QList<QByteArray> simple = {
        "GET /api/v1/datasets?sort_by=date&include_hidden=false" + head + "\r\n",
        "GET /api/v1/dataset/DATASET_ID" + head + "Authorization: Bearer a.b.c\r\n\r\n",
        "GET /api/v1/dataset/unknown" + head + "\r\n",
        "POST /api/v1/dataset/DATASET_ID/reindex" + head + "Content-Length: 0\r\n\r\n",
        "GET /api/v1/tasks?dataset_id=DATASET_ID&task_type=MEDIA_ADDITION&page=1&page_size=5"
            + head + "\r\n",
        "GET /api/v1/tasks?page_size=500&sort_by=status&sort_order=asc" + head + "\r\n",
        "GET /api/v1/process?path=/nonexistent&name=x" + head + "\r\n",
        "GET /api/v1/process/add_media?dataset_id=DATASET_ID&path=/etc" + head + "\r\n",
        "POST /api/v1/dataset/DATASET_ID/add_media" + head
            + "Transfer-Encoding: chunked\r\nContent-Type: multipart/form-data; boundary=x\r\n\r\n"
              "5\r\n--x\r\n\r\n0\r\n\r\n",
    };
    for (const QByteArray &request : simple)
        writeSeed(folder, request, count);
    const QByteArray target = "/api/v1/dataset/DATASET_ID/add_media";
    writeSeed(folder, multipartRequest(target, { { "files", "a.png" }, { "files", "b.png" } }, smallPng), count);
    writeSeed(folder, multipartRequest(target, { { "archive", "batch.tar.gz" }, { "auto_reindex", "true" } }, smallArchive), count);
    writeSeed(folder, multipartRequest(target, { { "s3_uri", "s3://bucket/prefix/" } }, QByteArray()), count);
    writeSeed(folder, multipartRequest(target, { { "files", "a.png" }, { "s3_uri", "s3://bucket/x" }, { "batch_n_images", "x12" } }, smallPng), count);
}

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

    QImage tiny(16, 12, QImage::Format_RGB32);
    tiny.fill(QColor(40, 120, 200));
    QByteArray smallPng;
    {
        QBuffer buffer(&smallPng);
        buffer.open(QIODevice::WriteOnly);
        tiny.save(&buffer, "PNG");
    }
    const QString tinyArchive = scratch.filePath(QStringLiteral("tiny.tar.gz"));
    writeArchive(tinyArchive, ArchiveFormat::TarGz, { { QStringLiteral("photos/tiny.png"), smallPng, QString() } });
    QFile archiveFile(tinyArchive);
    const QByteArray tinyArchiveBytes = archiveFile.open(QIODevice::ReadOnly) ? archiveFile.readAll() : QByteArray();
    writeHttpSeeds(output + QStringLiteral("/httprequest"), smallPng, tinyArchiveBytes, &count);

    std::printf("wrote %d seed files under %s\n", count, qPrintable(output));
    return 0;
}
