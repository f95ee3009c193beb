// The storage layers of the embedded pipeline against real files: the SQLite catalog, the
// content-addressed media store, the hnswlib neighbour index and the clustering.

#include <sys/stat.h>

#include <random>

#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "pipeline/catalog.h"
#include "pipeline/clustering.h"
#include "pipeline/media/mediaanalyzer.h"
#include "pipeline/media/mediasource.h"
#include "pipeline/mediastore.h"
#include "pipeline/neighbourindex.h"

using namespace Accrete;

namespace {

// A MediaSource over byte arrays, for feeding the store without the media library.
class MemorySource final : public MediaSource
{
public:
    struct Entry
    {
        QString name;
        QByteArray data;
        QString localFilePath;
    };

    explicit MemorySource(QList<Entry> entries)
        : m_entries(std::move(entries))
    {
    }

    bool next(SourceEntry *entry) override
    {
        if (++m_index >= m_entries.size())
            return false;
        const Entry &current = m_entries.at(m_index);
        *entry = SourceEntry();
        entry->relativePath = current.name;
        entry->origin = current.localFilePath.isEmpty() ? QStringLiteral("archive")
                                                        : QStringLiteral("file");
        entry->originPath = current.localFilePath.isEmpty()
            ? QStringLiteral("memory.zip!") + current.name
            : current.localFilePath;
        entry->size = current.data.size();
        entry->localFilePath = current.localFilePath;
        m_offset = 0;
        return true;
    }

    qint64 read(char *data, qint64 maxSize) override
    {
        const QByteArray &bytes = m_entries.at(m_index).data;
        const qint64 count = qMin(maxSize, bytes.size() - m_offset);
        memcpy(data, bytes.constData() + m_offset, size_t(count));
        m_offset += count;
        return count;
    }

    QString errorString() const override { return QString(); }

private:
    QList<Entry> m_entries;
    qsizetype m_index = -1;
    qint64 m_offset = 0;
};

std::vector<float> randomVector(std::mt19937 &generator, int dimension)
{
    std::normal_distribution<float> distribution;
    std::vector<float> vector(static_cast<size_t>(dimension));
    for (float &value : vector)
        value = distribution(generator);
    NeighbourIndex::normalise(vector);
    return vector;
}

// `base` moved by a small random step, then normalised.
std::vector<float> nearVector(std::mt19937 &generator, const std::vector<float> &base, float step)
{
    std::normal_distribution<float> distribution;
    std::vector<float> vector = base;
    for (float &value : vector)
        value += step * distribution(generator);
    NeighbourIndex::normalise(vector);
    return vector;
}

DatasetInfo draftDataset()
{
    DatasetInfo info;
    info.id = QStringLiteral("dataset-1");
    info.displayName = QStringLiteral("Street photos");
    info.sourceType = QStringLiteral("LOCAL");
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.status = DatasetStatus::Draft;
    return info;
}

} // namespace

class PipelineStorageTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void catalogCreatesVersionedWalSchema();
    void catalogRecordsAllowedTransitionsOnly();
    void catalogStoresTasksAndItems();
    void catalogStoresMediaAndEmbeddings();
    void catalogSortsMediaPages_data();
    void catalogSortsMediaPages();
    void mediaStoreKeepsEqualContentOnce();
    void mediaStoreHardLinksLocalFiles();
    void mediaStoreRejectsEmptyEntry();
    void thumbnailOfTransparentPngIsOnWhite();
    void neighbourIndexFindsNearest();
    void neighbourIndexGrowsAndPersists();
    void clusteringFindsGroupsAndOutliers();
};

void PipelineStorageTest::catalogCreatesVersionedWalSchema()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
        Catalog catalog(dir.path());
        QVERIFY2(catalog.open(), qPrintable(catalog.errorString()));
        QVERIFY(catalog.beginImmediate());
        QVERIFY(catalog.insertDataset(draftDataset(), dir.path()));
        QVERIFY(catalog.commit());
    }

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
    db.setDatabaseName(Catalog::catalogPath(dir.path()));
    QVERIFY(db.open());
    {
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(query.exec(QStringLiteral("SELECT version FROM schema_version")) && query.next());
        QCOMPARE(query.value(0).toInt(), Catalog::schemaVersion);
        QVERIFY(query.exec(QStringLiteral("PRAGMA integrity_check")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("ok"));
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("check"));

    Catalog reopened(dir.path());
    QVERIFY(reopened.open(Catalog::OpenMode::ExistingOnly));
    const auto info = reopened.dataset();
    QVERIFY(info.has_value());
    QCOMPARE(info->displayName, QStringLiteral("Street photos"));
    QCOMPARE(info->status, DatasetStatus::Draft);

    QTemporaryDir empty;
    Catalog missing(empty.path());
    QVERIFY(!missing.open(Catalog::OpenMode::ExistingOnly));
}

void PipelineStorageTest::catalogRecordsAllowedTransitionsOnly()
{
    QTemporaryDir dir;
    Catalog catalog(dir.path());
    QVERIFY(catalog.open());
    QVERIFY(catalog.insertDataset(draftDataset(), dir.path()));

    QVERIFY(catalog.transitionStatus(DatasetStatus::Indexing, QStringLiteral("task-1")));
    QVERIFY(!catalog.transitionStatus(DatasetStatus::PartialIndex, QStringLiteral("task-1")));
    QVERIFY(catalog.transitionStatus(DatasetStatus::Ready, QStringLiteral("task-1")));
    QVERIFY(catalog.transitionStatus(DatasetStatus::ReadOnly, QStringLiteral("task-2")));

    QCOMPARE(catalog.dataset()->status, DatasetStatus::ReadOnly);
    QCOMPARE(catalog.previousStatus(), std::optional(DatasetStatus::Ready));
    const QList<Catalog::StatusChange> timeline = catalog.timeline();
    QCOMPARE(timeline.size(), 4);
    QCOMPARE(timeline.at(0).status, DatasetStatus::Draft);
    QCOMPARE(timeline.at(1).status, DatasetStatus::Indexing);
    QCOMPARE(timeline.at(2).status, DatasetStatus::Ready);
    QCOMPARE(timeline.at(3).status, DatasetStatus::ReadOnly);
    QCOMPARE(timeline.at(3).taskId, QStringLiteral("task-2"));
    QVERIFY(timeline.at(3).time.isValid());
}

void PipelineStorageTest::catalogStoresTasksAndItems()
{
    QTemporaryDir dir;
    Catalog catalog(dir.path());
    QVERIFY(catalog.open());
    QVERIFY(catalog.insertDataset(draftDataset(), dir.path()));

    TaskInfo task;
    task.taskId = QStringLiteral("task-1");
    task.type = TaskType::MediaAddition;
    task.status = TaskStatus::Initializing;
    task.startTime = QDateTime::currentDateTimeUtc();
    QVERIFY(catalog.insertTask(task));
    QVERIFY(catalog.insertTaskItems(task.taskId, { { 0, QStringLiteral("a.jpg"), QStringLiteral("/in/a.jpg"), 10 },
                                                    { 1, QStringLiteral("b.jpg"), QStringLiteral("/in/b.jpg"), 20 } }));
    QCOMPARE(catalog.taskItemCount(task.taskId), 2);
    QVERIFY(catalog.setTaskItemState(task.taskId, 1, QStringLiteral("rejected"), QStringLiteral("corrupt"), -1));

    QCOMPARE(catalog.runningTask()->taskId, task.taskId);

    task.status = TaskStatus::Completed;
    task.endTime = QDateTime::currentDateTimeUtc();
    task.result.addedImages = 1;
    task.result.rejected = { { QStringLiteral("b.jpg"), QStringLiteral("corrupt") } };
    QVERIFY(catalog.updateTask(task));

    QVERIFY(!catalog.runningTask().has_value());
    const auto stored = catalog.task(task.taskId);
    QVERIFY(stored.has_value());
    QCOMPARE(stored->status, TaskStatus::Completed);
    QVERIFY(stored->endTime.isValid());
    QCOMPARE(stored->result.addedImages, 1);
    QCOMPARE(stored->result.rejected.size(), 1);
    QCOMPARE(stored->result.rejected.first().reason, QStringLiteral("corrupt"));
    QCOMPARE(catalog.latestTask()->taskId, task.taskId);
}

void PipelineStorageTest::catalogStoresMediaAndEmbeddings()
{
    QTemporaryDir dir;
    Catalog catalog(dir.path());
    QVERIFY(catalog.open());
    QVERIFY(catalog.insertDataset(draftDataset(), dir.path()));

    Catalog::NewMedia video;
    video.kind = MediaKind::Video;
    video.relativePath = QStringLiteral("clips/walk.mp4");
    video.origin = QStringLiteral("file");
    video.originPath = QStringLiteral("/in/clips/walk.mp4");
    video.sha256 = QStringLiteral("ab12");
    video.size = 1234;
    video.width = 640;
    video.height = 480;
    video.durationSeconds = 3.5;
    video.storePath = QStringLiteral("media/ab/ab12.mp4");
    video.addedAt = QDateTime::currentDateTimeUtc();
    video.perceptualHash = 0xF0F0F0F0F0F0F0F0ull; // the top bit set: stored as a negative integer
    video.embedding = { 0.6f, 0.8f };
    video.frames = { { 0.5, 1, { 1.0f, 0.0f } }, { 2.5, 2, { 0.0f, 1.0f } } };
    const qint64 id = catalog.insertMedia(video);
    QVERIFY(id >= 0);

    QCOMPARE(catalog.findMediaBySha256(QStringLiteral("ab12")), id);
    QCOMPARE(catalog.findMediaBySha256(QStringLiteral("cd34")), qint64(-1));
    QVERIFY(catalog.containsMedia(QStringLiteral("ab12"), QStringLiteral("/in/clips/walk.mp4")));
    QVERIFY(!catalog.containsMedia(QStringLiteral("ab12"), QStringLiteral("/elsewhere/walk.mp4")));

    const auto item = catalog.mediaItem(id);
    QVERIFY(item.has_value());
    QCOMPARE(item->kind, MediaKind::Video);
    QCOMPARE(item->fileName, QStringLiteral("walk.mp4"));
    QCOMPARE(item->mediaUri, dir.filePath(QStringLiteral("media/ab/ab12.mp4")));
    QCOMPARE(item->clustered, false);
    QCOMPARE(item->durationSeconds, 3.5);

    std::vector<Catalog::EmbeddingRow> rows;
    QVERIFY(catalog.forEachEmbedding([&rows](Catalog::EmbeddingRow &&row) { rows.push_back(std::move(row)); }));
    QCOMPARE(rows.size(), size_t(1));
    QCOMPARE(rows[0].perceptualHash, video.perceptualHash);
    QCOMPARE(rows[0].embedding, video.embedding);

    const DatasetInfo info = *catalog.dataset();
    QCOMPARE(info.nVideos, 1);
    QCOMPARE(info.nImages, 0);
    QCOMPARE(info.nPendingItems, 1);
}

void PipelineStorageTest::catalogSortsMediaPages_data()
{
    QTest::addColumn<MediaSort>("sort");
    QTest::addColumn<QStringList>("expectedPaths");

    QTest::newRow("added") << MediaSort::Added
                           << QStringList{ QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") };
    QTest::newRow("outlier score") << MediaSort::OutlierScore
                                   << QStringList{ QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("a") };
    QTest::newRow("cluster") << MediaSort::Cluster
                             << QStringList{ QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b") };
    QTest::newRow("duplicate group") << MediaSort::DuplicateGroup
                                     << QStringList{ QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("b") };
}

void PipelineStorageTest::catalogSortsMediaPages()
{
    QFETCH(MediaSort, sort);
    QFETCH(QStringList, expectedPaths);

    QTemporaryDir dir;
    Catalog catalog(dir.path());
    QVERIFY(catalog.open());
    QVERIFY(catalog.insertDataset(draftDataset(), dir.path()));
    Clustering::Result clusters;
    const QStringList names{ QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") };
    const qint64 clusterIds[] = { 1, 2, 0 };
    const qint64 groups[] = { 0, -1, 0 };
    const double scores[] = { 0.1, 0.9, 0.5 };
    for (int i = 0; i < names.size(); ++i) {
        Catalog::NewMedia media;
        media.relativePath = names.at(i);
        media.origin = QStringLiteral("file");
        media.originPath = names.at(i);
        media.sha256 = names.at(i);
        media.storePath = names.at(i);
        media.addedAt = QDateTime::currentDateTimeUtc();
        media.embedding = { 1.0f };
        const qint64 id = catalog.insertMedia(media);
        QVERIFY(id >= 0);
        clusters.items.push_back({ id, clusterIds[i], groups[i], scores[i] });
    }
    clusters.clusters = 3;
    clusters.duplicateGroups = 1;
    clusters.outliers = 1;
    QVERIFY(catalog.storeClustering(clusters));

    MediaQuery query;
    query.datasetId = QStringLiteral("dataset-1");
    query.sort = sort;
    const MediaPage page = catalog.media(query);
    QCOMPARE(page.total, 3);
    QStringList paths;
    for (const MediaItem &item : page.items) {
        paths.append(item.relativePath);
        QVERIFY(item.clustered);
        QCOMPARE(item.datasetId, QStringLiteral("dataset-1"));
    }
    QCOMPARE(paths, expectedPaths);

    query.offset = 1;
    query.limit = 1;
    const MediaPage second = catalog.media(query);
    QCOMPARE(second.items.size(), 1);
    QCOMPARE(second.items.first().relativePath, expectedPaths.at(1));

    const DatasetInfo info = *catalog.dataset();
    QCOMPARE(info.nClusters, 3);
    QCOMPARE(info.nDuplicateGroups, 1);
    QCOMPARE(info.nOutliers, 1);
    QCOMPARE(info.nPendingItems, 0);
}

void PipelineStorageTest::mediaStoreKeepsEqualContentOnce()
{
    QTemporaryDir dir;
    const QByteArray bytes = QByteArray("not really a photo, but bytes to store ").repeated(10000);
    MemorySource source({ { QStringLiteral("a/one.JPG"), bytes, QString() },
                          { QStringLiteral("b/two.jpg"), bytes, QString() } });
    MediaStore store(dir.path());

    SourceEntry entry;
    MediaStore::StoredFile first;
    MediaStore::StoredFile second;
    QString error;
    QVERIFY(source.next(&entry));
    QVERIFY2(store.store(source, entry, &first, &error), qPrintable(error));
    QVERIFY(source.next(&entry));
    QVERIFY2(store.store(source, entry, &second, &error), qPrintable(error));

    const QString expectedHash =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    QCOMPARE(first.sha256, expectedHash);
    QCOMPARE(first.size, bytes.size());
    QCOMPARE(first.relativePath, QStringLiteral("media/%1/%2.jpg").arg(expectedHash.left(2), expectedHash));
    QVERIFY(!first.alreadyStored);
    QCOMPARE(second.relativePath, first.relativePath);
    QVERIFY(second.alreadyStored);

    QFile stored(store.absolutePath(first.relativePath));
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QCOMPARE(stored.readAll(), bytes);
    QVERIFY(QDir(dir.filePath(QStringLiteral("staging"))).entryList(QDir::Files).isEmpty());
}

void PipelineStorageTest::mediaStoreHardLinksLocalFiles()
{
    QTemporaryDir dir;
    const QString original = dir.filePath(QStringLiteral("dropped.png"));
    const QByteArray bytes = QByteArray("png-ish bytes ").repeated(1000);
    {
        QFile file(original);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    }
    MemorySource source({ { QStringLiteral("dropped.png"), bytes, original } });
    MediaStore store(dir.filePath(QStringLiteral("dataset")));
    SourceEntry entry;
    QVERIFY(source.next(&entry));
    MediaStore::StoredFile stored;
    QString error;
    QVERIFY2(store.store(source, entry, &stored, &error), qPrintable(error));

    struct stat originalStat = {};
    struct stat storedStat = {};
    QCOMPARE(::stat(QFile::encodeName(original).constData(), &originalStat), 0);
    QCOMPARE(::stat(QFile::encodeName(store.absolutePath(stored.relativePath)).constData(), &storedStat), 0);
    QCOMPARE(storedStat.st_ino, originalStat.st_ino);

    // The dataset keeps its copy when the user deletes the dropped file.
    QVERIFY(QFile::remove(original));
    QFile kept(store.absolutePath(stored.relativePath));
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), bytes);
}

void PipelineStorageTest::mediaStoreRejectsEmptyEntry()
{
    QTemporaryDir dir;
    MemorySource source({ { QStringLiteral("empty.jpg"), QByteArray(), QString() } });
    MediaStore store(dir.path());
    SourceEntry entry;
    QVERIFY(source.next(&entry));
    MediaStore::StoredFile stored;
    QString error;
    QVERIFY(!store.store(source, entry, &stored, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(QDir(dir.filePath(QStringLiteral("staging"))).entryList(QDir::Files).isEmpty());
}

void PipelineStorageTest::thumbnailOfTransparentPngIsOnWhite()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A blue disc on a fully transparent background, as logos and cut-outs come.
    QImage picture(400, 300, QImage::Format_ARGB32);
    picture.fill(Qt::transparent);
    {
        QPainter painter(&picture);
        painter.setBrush(Qt::blue);
        painter.setPen(Qt::NoPen);
        painter.drawEllipse(QPoint(200, 150), 100, 100);
    }
    const QString pngPath = dir.filePath(QStringLiteral("logo.png"));
    QVERIFY(picture.save(pngPath, "PNG"));

    const MediaAnalysis analysis = analyzeMedia(pngPath, QStringLiteral("logo.png"), AnalyzerSettings());
    QVERIFY2(analysis.ok, qPrintable(analysis.rejectionReason));
    QVERIFY(analysis.thumbnail.hasAlphaChannel());

    MediaStore store(dir.filePath(QStringLiteral("dataset")));
    const QString relative = store.storeThumbnail(QStringLiteral("ab").repeated(32), analysis.thumbnail);
    QVERIFY(!relative.isEmpty());
    QVERIFY(relative.startsWith(QLatin1String("thumbs/")));
    const QImage thumbnail(store.absolutePath(relative), "JPEG");
    QVERIFY(!thumbnail.isNull());
    const QColor corner = thumbnail.pixelColor(0, 0);
    QVERIFY2(corner.red() >= 245 && corner.green() >= 245 && corner.blue() >= 245,
             qPrintable(corner.name()));
    const QColor centre = thumbnail.pixelColor(thumbnail.width() / 2, thumbnail.height() / 2);
    QVERIFY2(centre.blue() >= 200 && centre.red() <= 60, qPrintable(centre.name()));
}

void PipelineStorageTest::neighbourIndexFindsNearest()
{
    std::mt19937 generator(7);
    const int dimension = 32;
    NeighbourIndex index(dimension);
    std::vector<std::vector<float>> vectors;
    for (int i = 0; i < 200; ++i) {
        vectors.push_back(randomVector(generator, dimension));
        QVERIFY(index.add(i, vectors.back()));
    }
    QVERIFY(!index.add(5, vectors[5]));                 // id already present
    QVERIFY(!index.add(500, std::vector<float>(3, 1))); // wrong dimension
    QCOMPARE(index.size(), 200);

    const auto self = index.search(vectors[42], 3);
    QCOMPARE(self.size(), 3);
    QCOMPARE(self.first().id, qint64(42));
    QVERIFY(self.first().similarity > 0.999f);
    QVERIFY(self.at(0).similarity >= self.at(1).similarity);

    const auto others = index.search(vectors[42], 3, 42);
    QCOMPARE(others.size(), 3);
    for (const auto &neighbour : others)
        QVERIFY(neighbour.id != 42);

    const auto near = index.search(nearVector(generator, vectors[7], 0.01f), 1);
    QCOMPARE(near.first().id, qint64(7));
}

void PipelineStorageTest::neighbourIndexGrowsAndPersists()
{
    QTemporaryDir dir;
    std::mt19937 generator(11);
    const int dimension = 16;
    NeighbourIndex index(dimension, 16);
    std::vector<std::vector<float>> vectors;
    for (int i = 0; i < 100; ++i) {
        vectors.push_back(randomVector(generator, dimension));
        QVERIFY(index.add(1000 + i, vectors.back()));
    }
    QVERIFY(index.capacity() >= 100);

    const QString path = dir.filePath(QStringLiteral("index.hnsw"));
    QString error;
    QVERIFY2(index.save(path, &error), qPrintable(error));
    const auto loaded = NeighbourIndex::load(path, dimension, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(loaded->size(), 100);
    QCOMPARE(loaded->search(vectors[30], 1).first().id, qint64(1030));
    QVERIFY(loaded->add(5000, randomVector(generator, dimension)));

    QVERIFY(!NeighbourIndex::load(path, dimension * 2, &error));
    QVERIFY(!NeighbourIndex::load(dir.filePath(QStringLiteral("missing.hnsw")), dimension, &error));
}

void PipelineStorageTest::clusteringFindsGroupsAndOutliers()
{
    std::mt19937 generator(3);
    const int dimension = 64;
    const std::vector<float> streets = randomVector(generator, dimension);
    const std::vector<float> faces = randomVector(generator, dimension);
    NeighbourIndex index(dimension);
    std::vector<Clustering::Item> items;
    auto add = [&](qint64 id, const std::vector<float> &vector, const QString &sha, quint64 hash) {
        QVERIFY(index.add(id, vector));
        items.push_back({ id, sha, hash });
    };
    // Streets: 1 and 2 are near-identical, 3 is similar but not a duplicate.
    add(1, nearVector(generator, streets, 0.005f), QStringLiteral("s1"), 0x1111);
    add(2, nearVector(generator, streets, 0.005f), QStringLiteral("s2"), 0xFFFF0000);
    add(3, nearVector(generator, streets, 0.05f), QStringLiteral("s3"), 0xFF00FF00FF00ull);
    // Faces: 4 and 5 differ in embedding but carry the same content hash.
    add(4, nearVector(generator, faces, 0.05f), QStringLiteral("same"), 0x2222000000000000ull);
    add(5, nearVector(generator, faces, 0.05f), QStringLiteral("same"), 0x0000333300000000ull);
    // An unrelated picture whose perceptual hash is one bit away from item 1.
    add(6, randomVector(generator, dimension), QStringLiteral("s6"), 0x1110);

    ClusteringSettings settings;
    settings.neighbours = 5;
    const Clustering::Result result = Clustering(settings).run(items, index);

    QCOMPARE(result.items.size(), items.size());
    auto of = [&result](qint64 id) {
        for (const auto &item : result.items) {
            if (item.id == id)
                return item;
        }
        return Clustering::ItemResult();
    };
    QCOMPARE(of(1).clusterId, of(2).clusterId);
    QCOMPARE(of(1).clusterId, of(3).clusterId);
    QCOMPARE(of(4).clusterId, of(5).clusterId);
    QVERIFY(of(4).clusterId != of(1).clusterId);
    QCOMPARE(result.clusters, 3); // streets, faces, the unrelated picture

    QVERIFY(of(1).duplicateGroup >= 0);
    QCOMPARE(of(1).duplicateGroup, of(2).duplicateGroup);
    QCOMPARE(of(6).duplicateGroup, of(1).duplicateGroup); // perceptual hash 1 bit away
    QCOMPARE(of(3).duplicateGroup, qint64(-1));
    QVERIFY(of(4).duplicateGroup >= 0);                    // same sha256
    QCOMPARE(of(4).duplicateGroup, of(5).duplicateGroup);
    QCOMPARE(result.duplicateGroups, 2);

    bool pairFound = false;
    for (const auto &pair : result.nearDuplicates) {
        QVERIFY(pair.first < pair.second);
        if (pair.first == 1 && pair.second == 2)
            pairFound = true;
    }
    QVERIFY(pairFound);

    for (qint64 id : { 1, 2, 3, 4, 5 })
        QVERIFY2(of(6).outlierScore > of(id).outlierScore, qPrintable(QString::number(id)));
    QVERIFY(of(6).outlierScore >= settings.outlierScore);
}

QTEST_GUILESS_MAIN(PipelineStorageTest)
#include "tst_pipelinestorage.moc"
