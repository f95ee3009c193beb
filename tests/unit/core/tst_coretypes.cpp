#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QTimeZone>

#include "core/dataset.h"
#include "core/requests.h"
#include "core/task.h"

using namespace Accrete;

class TestCoreTypes final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseStatus_data();
    void parseStatus();
    void statusRoundTrip();
    void legacyStatusFallback();
    void datasetFromDocumentedResponse();
    void datasetJsonRoundTrip();
    void taskFromDocumentedObject();
    void taskJsonRoundTrip();
    void sourceValidation_data();
    void sourceValidation();
    void s3UriValidation_data();
    void s3UriValidation();
    void archiveExtensions_data();
    void archiveExtensions();
};

void TestCoreTypes::parseStatus_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("expected"); // -1: not a status

    QTest::newRow("READ ONLY") << QStringLiteral("READ ONLY") << int(DatasetStatus::ReadOnly);
    QTest::newRow("READ_ONLY") << QStringLiteral("READ_ONLY") << int(DatasetStatus::ReadOnly);
    QTest::newRow("PARTIAL INDEX") << QStringLiteral("PARTIAL INDEX")
                                   << int(DatasetStatus::PartialIndex);
    QTest::newRow("PARTIAL_INDEX") << QStringLiteral("PARTIAL_INDEX")
                                   << int(DatasetStatus::PartialIndex);
    QTest::newRow("lower case ready") << QStringLiteral(" ready ") << int(DatasetStatus::Ready);
    QTest::newRow("DRAFT") << QStringLiteral("DRAFT") << int(DatasetStatus::Draft);
    QTest::newRow("INDEXING") << QStringLiteral("INDEXING") << int(DatasetStatus::Indexing);
    QTest::newRow("ERROR") << QStringLiteral("ERROR") << int(DatasetStatus::Error);
    QTest::newRow("legacy UPDATING is not status_new") << QStringLiteral("UPDATING") << -1;
    QTest::newRow("empty") << QString() << -1;
}

void TestCoreTypes::parseStatus()
{
    QFETCH(QString, text);
    QFETCH(int, expected);

    const auto status = parseDatasetStatus(text);
    if (expected < 0) {
        QVERIFY(!status.has_value());
    } else {
        QVERIFY(status.has_value());
        QCOMPARE(int(*status), expected);
    }
}

void TestCoreTypes::statusRoundTrip()
{
    const QList<DatasetStatus> statuses = { DatasetStatus::Draft, DatasetStatus::Indexing,
                                            DatasetStatus::ReadOnly, DatasetStatus::PartialIndex,
                                            DatasetStatus::Ready, DatasetStatus::Error };
    for (DatasetStatus status : statuses) {
        const QString text = statusToApiString(status);
        QVERIFY(!text.isEmpty());
        QCOMPARE(parseDatasetStatus(text), std::optional<DatasetStatus>(status));
    }
    QCOMPARE(statusToApiString(DatasetStatus::ReadOnly), QStringLiteral("READ ONLY"));
    QCOMPARE(statusToApiString(DatasetStatus::PartialIndex), QStringLiteral("PARTIAL INDEX"));
}

void TestCoreTypes::legacyStatusFallback()
{
    const QJsonObject object{ { QStringLiteral("id"), QStringLiteral("a") },
                              { QStringLiteral("status"), QStringLiteral("UPDATING") } };
    QCOMPARE(DatasetInfo::fromJson(object).status, DatasetStatus::ReadOnly);

    const QJsonObject both{ { QStringLiteral("status"), QStringLiteral("UPDATING") },
                            { QStringLiteral("status_new"), QStringLiteral("PARTIAL_INDEX") } };
    QCOMPARE(DatasetInfo::fromJson(both).status, DatasetStatus::PartialIndex);
}

void TestCoreTypes::datasetFromDocumentedResponse()
{
    const QByteArray body = R"({
        "id": "54c51218-db7a-11f0-b8bd-ea1ec7478511",
        "display_name": "tomer1344",
        "status": "UPDATING",
        "status_new": "READ ONLY",
        "n_images": 17,
        "n_videos": 31,
        "progress": 100
    })";
    const DatasetInfo dataset = DatasetInfo::fromJson(QJsonDocument::fromJson(body).object());
    QCOMPARE(dataset.id, QStringLiteral("54c51218-db7a-11f0-b8bd-ea1ec7478511"));
    QCOMPARE(dataset.displayName, QStringLiteral("tomer1344"));
    QCOMPARE(dataset.status, DatasetStatus::ReadOnly);
    QCOMPARE(dataset.legacyStatus, QStringLiteral("UPDATING"));
    QCOMPARE(dataset.nImages, 17);
    QCOMPARE(dataset.nVideos, 31);
    QCOMPARE(dataset.progress, 100);
    QVERIFY(!isSettledStatus(dataset.status));
}

void TestCoreTypes::datasetJsonRoundTrip()
{
    DatasetInfo dataset;
    dataset.id = QStringLiteral("id-1");
    dataset.displayName = QStringLiteral("street scenes");
    dataset.status = DatasetStatus::PartialIndex;
    dataset.progress = 40;
    dataset.nImages = 12;
    dataset.nVideos = 2;
    dataset.createdAt = QDateTime(QDate(2026, 12, 4), QTime(10, 30, 15, 123), QTimeZone::utc());
    dataset.embeddingConfig = QStringLiteral("accrete-builtin-v1");
    dataset.nClusters = 3;
    dataset.nPendingItems = 5;

    const QJsonObject object = dataset.toJson();
    QCOMPARE(object.value(QStringLiteral("status_new")).toString(), QStringLiteral("PARTIAL INDEX"));
    QCOMPARE(object.value(QStringLiteral("status")).toString(), QStringLiteral("READY"));
    QCOMPARE(object.value(QStringLiteral("created_at")).toString(),
             QStringLiteral("2026-12-04T10:30:15.123000"));
    QVERIFY(object.value(QStringLiteral("fatal_error_msg")).isNull());

    const DatasetInfo back = DatasetInfo::fromJson(object);
    QCOMPARE(back.id, dataset.id);
    QCOMPARE(back.displayName, dataset.displayName);
    QCOMPARE(back.status, dataset.status);
    QCOMPARE(back.progress, dataset.progress);
    QCOMPARE(back.nImages, dataset.nImages);
    QCOMPARE(back.nVideos, dataset.nVideos);
    QCOMPARE(back.createdAt, dataset.createdAt);
    QCOMPARE(back.embeddingConfig, dataset.embeddingConfig);
    QCOMPARE(back.nClusters, dataset.nClusters);
    QCOMPARE(back.nPendingItems, dataset.nPendingItems);
}

void TestCoreTypes::taskFromDocumentedObject()
{
    const QByteArray body = R"({
        "task_id": "t-1", "dataset_id": "d-1", "dataset_name": "cars",
        "dataset_status": "READ_ONLY", "created_by": "a@example.com",
        "task_type": "MEDIA_ADDITION", "status": "RUNNING", "status_message": null,
        "progress_percentage": null, "error_message": null,
        "start_time": "2026-12-04T10:30:15.123456", "end_time": null
    })";
    const TaskInfo task = TaskInfo::fromJson(QJsonDocument::fromJson(body).object());
    QCOMPARE(task.taskId, QStringLiteral("t-1"));
    QCOMPARE(task.type, TaskType::MediaAddition);
    QCOMPARE(task.status, TaskStatus::Running);
    QCOMPARE(task.datasetStatus, std::optional<DatasetStatus>(DatasetStatus::ReadOnly));
    QVERIFY(!task.progressPercentage.has_value());
    QVERIFY(task.startTime.isValid());
    QCOMPARE(task.startTime.time().msec(), 123);
    QVERIFY(!task.endTime.isValid());
    QVERIFY(!isFinalTaskStatus(task.status));
}

void TestCoreTypes::taskJsonRoundTrip()
{
    TaskInfo task;
    task.taskId = QStringLiteral("t-2");
    task.datasetId = QStringLiteral("d-2");
    task.type = TaskType::Reindex;
    task.status = TaskStatus::Completed;
    task.datasetStatus = DatasetStatus::PartialIndex;
    task.progressPercentage = 100;
    task.result.addedImages = 4;
    task.result.rejected = { { QStringLiteral("photos/broken.jpg"), QStringLiteral("truncated image") } };

    const QJsonObject object = task.toJson();
    QCOMPARE(object.value(QStringLiteral("task_type")).toString(), QStringLiteral("REINDEX"));
    QCOMPARE(object.value(QStringLiteral("dataset_status")).toString(),
             QStringLiteral("PARTIAL_INDEX"));
    QVERIFY(object.value(QStringLiteral("end_time")).isNull());

    const TaskInfo back = TaskInfo::fromJson(object);
    QCOMPARE(back.type, task.type);
    QCOMPARE(back.status, task.status);
    QCOMPARE(back.datasetStatus, task.datasetStatus);
    QCOMPARE(back.progressPercentage, task.progressPercentage);
    QCOMPARE(back.result.addedImages, 4);
    QCOMPARE(back.result.rejected, task.result.rejected);
}

void TestCoreTypes::sourceValidation_data()
{
    QTest::addColumn<AddMediaRequest>("request");
    QTest::addColumn<int>("code"); // 0: valid

    AddMediaRequest none;
    AddMediaRequest files;
    files.files = { QStringLiteral("/tmp/a.jpg"), QStringLiteral("/tmp/b.jpg") };
    AddMediaRequest archive;
    archive.archive = QStringLiteral("/tmp/batch.zip");
    AddMediaRequest s3;
    s3.s3Uri = QStringLiteral("s3://my-bucket/images/");
    AddMediaRequest badS3;
    badS3.s3Uri = QStringLiteral("s3:/my-bucket");
    AddMediaRequest two = files;
    two.archive = archive.archive;
    AddMediaRequest three = two;
    three.s3Uri = s3.s3Uri;

    QTest::newRow("no source") << none << 400;
    QTest::newRow("files") << files << 0;
    QTest::newRow("archive") << archive << 0;
    QTest::newRow("s3 folder") << s3 << 0;
    QTest::newRow("malformed s3 uri") << badS3 << 400;
    QTest::newRow("files and archive") << two << 400;
    QTest::newRow("three sources") << three << 400;
}

void TestCoreTypes::sourceValidation()
{
    QFETCH(AddMediaRequest, request);
    QFETCH(int, code);

    const auto rejection = request.validate();
    if (code == 0) {
        QVERIFY2(!rejection, rejection ? qPrintable(rejection->toString()) : "");
        return;
    }
    QVERIFY(rejection.has_value());
    QCOMPARE(rejection->code(), code);
    if (request.sourceCount() != 1) {
        QCOMPARE(rejection->detail(),
                 QStringLiteral("Exactly one media source must be provided: files[], s3_uri, or archive"));
    } else {
        QCOMPARE(rejection->detail(),
                 QStringLiteral("Invalid S3 URI or no media files found at %1").arg(request.s3Uri));
    }
}

void TestCoreTypes::s3UriValidation_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("valid");

    QTest::newRow("bucket only") << QStringLiteral("s3://my-bucket") << true;
    QTest::newRow("bucket and prefix") << QStringLiteral("s3://my-bucket/path/to/media/") << true;
    QTest::newRow("manifest") << QStringLiteral("s3://data.example/manifests/list.csv") << true;
    QTest::newRow("one slash") << QStringLiteral("s3:/my-bucket/x") << false;
    QTest::newRow("http scheme") << QStringLiteral("https://my-bucket/x") << false;
    QTest::newRow("upper-case bucket") << QStringLiteral("s3://My-Bucket/x") << false;
    QTest::newRow("bucket too short") << QStringLiteral("s3://ab/x") << false;
    QTest::newRow("empty bucket") << QStringLiteral("s3:///x") << false;
    QTest::newRow("newline in key") << QStringLiteral("s3://my-bucket/a\nb") << false;
}

void TestCoreTypes::s3UriValidation()
{
    QFETCH(QString, uri);
    QFETCH(bool, valid);
    QCOMPARE(isValidS3Uri(uri), valid);
}

void TestCoreTypes::archiveExtensions_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("archive");

    QTest::newRow("zip") << QStringLiteral("batch.zip") << true;
    QTest::newRow("tar") << QStringLiteral("batch.tar") << true;
    QTest::newRow("tar.gz upper case") << QStringLiteral("BATCH.TAR.GZ") << true;
    QTest::newRow("tgz") << QStringLiteral("batch.tgz") << true;
    QTest::newRow("jpeg") << QStringLiteral("photo.jpg") << false;
    QTest::newRow("gz alone") << QStringLiteral("notes.gz") << false;
}

void TestCoreTypes::archiveExtensions()
{
    QFETCH(QString, name);
    QFETCH(bool, archive);
    QCOMPARE(hasArchiveExtension(name), archive);
}

QTEST_APPLESS_MAIN(TestCoreTypes)
#include "tst_coretypes.moc"
