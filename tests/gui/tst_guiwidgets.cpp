// Widgets that need no backend: the S3 dialog, the batch rules of a drop, the error texts,
// the banner and the status panel.

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

#include "core/metatypes.h"
#include "core/serviceerror.h"
#include "core/statusmachine.h"
#include "testsupport.h"
#include "ui/batchreportdialog.h"
#include "ui/datasetview.h"
#include "ui/errortext.h"
#include "ui/messagebanner.h"
#include "ui/s3pathdialog.h"
#include "ui/statusbadge.h"
#include "ui/statuspanel.h"

using namespace Accrete;

class TestGuiWidgets final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void s3DialogValidatesUri_data();
    void s3DialogValidatesUri();
    void s3DialogReturnsAutoReindex();
    void dropOfOneArchiveIsArchiveBatch();
    void dropOfArchiveAndPhotoIsFilesBatch();
    void dropOfFolderIsFilesBatch();
    void errorMessageNamesCodeDetailAndAdvice_data();
    void errorMessageNamesCodeDetailAndAdvice();
    void bannerReplacesAndDismisses();
    void statusPanelEnablesReindexOnlyInPartialIndex_data();
    void statusPanelEnablesReindexOnlyInPartialIndex();
    void statusPanelRecordsEachTransitionOnce();
    void batchReportListsRejectedFiles();
    void badgeUsesApiSpelling();
};

void TestGuiWidgets::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
}

void TestGuiWidgets::s3DialogValidatesUri_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("valid");

    QTest::newRow("single slash") << QStringLiteral("s3:/bad") << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("http scheme") << QStringLiteral("https://bucket/prefix/") << false;
    QTest::newRow("no bucket") << QStringLiteral("s3:///prefix/") << false;
    QTest::newRow("upper-case bucket") << QStringLiteral("s3://Bucket/prefix/") << false;
    QTest::newRow("bucket with prefix") << QStringLiteral("s3://bucket/prefix/") << true;
    QTest::newRow("bucket only") << QStringLiteral("s3://my-bucket") << true;
    QTest::newRow("manifest") << QStringLiteral("s3://bucket/lists/new.csv") << true;
}

void TestGuiWidgets::s3DialogValidatesUri()
{
    QFETCH(QString, uri);
    QFETCH(bool, valid);

    S3PathDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *edit = dialog.findChild<QLineEdit *>();
    QVERIFY(edit);
    edit->clear();
    QTest::keyClicks(edit, uri);

    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    QVERIFY(buttons);
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    QCOMPARE(dialog.isUriValid(), valid);
    QCOMPARE(ok->isEnabled(), valid);
    QCOMPARE(dialog.validationMessage().isEmpty(), valid);

    dialog.accept();
    QCOMPARE(dialog.result() == QDialog::Accepted, valid);
    if (valid)
        QCOMPARE(dialog.uri(), uri);
}

void TestGuiWidgets::s3DialogReturnsAutoReindex()
{
    S3PathDialog dialog;
    QVERIFY(!dialog.autoReindex());
    auto *box = dialog.findChild<QCheckBox *>();
    QVERIFY(box);
    box->setChecked(true);
    QVERIFY(dialog.autoReindex());
}

void TestGuiWidgets::dropOfOneArchiveIsArchiveBatch()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString archive = TestSupport::makePhotoArchive(dir.filePath(QStringLiteral("new.zip")),
                                                          TestSupport::ArchiveFormat::Zip, 2);
    QVERIFY2(!archive.isEmpty(), "writing the archive failed; is opencv-doc installed?");

    const AddMediaRequest request = DatasetView::requestForLocalPaths({ archive }, true);
    QCOMPARE(request.archive, archive);
    QVERIFY(request.files.isEmpty());
    QVERIFY(request.autoReindex);
    QVERIFY(!request.validate().has_value());
}

void TestGuiWidgets::dropOfArchiveAndPhotoIsFilesBatch()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString archive = TestSupport::makePhotoArchive(dir.filePath(QStringLiteral("new.tar.gz")),
                                                          TestSupport::ArchiveFormat::TarGz, 1);
    const QStringList photos = TestSupport::copyPhotos(dir.filePath(QStringLiteral("photos")), 1);
    QVERIFY(!archive.isEmpty());
    QCOMPARE(photos.size(), 1);

    const AddMediaRequest request = DatasetView::requestForLocalPaths({ archive, photos.first() }, false);
    QVERIFY(request.archive.isEmpty());
    QCOMPARE(request.files, QStringList({ archive, photos.first() }));
    QVERIFY(!request.autoReindex);
    QCOMPARE(request.sourceCount(), 1);
}

void TestGuiWidgets::dropOfFolderIsFilesBatch()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const AddMediaRequest request = DatasetView::requestForLocalPaths({ dir.path() }, false);
    QVERIFY(request.archive.isEmpty());
    QCOMPARE(request.files, QStringList{ dir.path() });
}

void TestGuiWidgets::errorMessageNamesCodeDetailAndAdvice_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<int>("operation");
    QTest::addColumn<QString>("advice");

    DatasetState readOnly;
    readOnly.datasetId = QStringLiteral("d1");
    readOnly.status = DatasetStatus::ReadOnly;
    readOnly.runningTask = TaskType::MediaAddition;
    readOnly.hasEmbeddingConfig = true;
    const ServiceError busy = *StatusMachine::checkOperation(DatasetOperation::AddMedia, readOnly);

    QTest::newRow("409 add media") << busy.code() << busy.detail() << int(FailedOperation::AddMedia)
                                   << QStringLiteral("Retry");
    const ServiceError twoSources = ServiceError::exactlyOneSource();
    QTest::newRow("400 two sources") << twoSources.code() << twoSources.detail()
                                     << int(FailedOperation::AddMedia)
                                     << QStringLiteral("one source per request");
    const ServiceError neverIndexed = ServiceError::noEmbeddingConfig(QStringLiteral("d1"));
    QTest::newRow("400 never indexed") << neverIndexed.code() << neverIndexed.detail()
                                       << int(FailedOperation::AddMedia)
                                       << QStringLiteral("never been indexed");
    const ServiceError badUri = ServiceError::invalidS3Uri(QStringLiteral("s3://b/x"));
    QTest::newRow("400 bad S3 URI") << badUri.code() << badUri.detail()
                                    << int(FailedOperation::AddMedia) << QStringLiteral("s3://bucket/prefix/");
    const ServiceError missing = ServiceError::notFound();
    QTest::newRow("404") << missing.code() << missing.detail() << int(FailedOperation::Reindex)
                         << QStringLiteral("Refresh the dataset list");
    const ServiceError disabled = ServiceError::addMediaDisabled();
    QTest::newRow("403") << disabled.code() << disabled.detail() << int(FailedOperation::AddMedia)
                         << QStringLiteral("administrator");
    QTest::newRow("connection failure") << 0 << QStringLiteral("Connection refused")
                                        << int(FailedOperation::AddMedia)
                                        << QStringLiteral("could not be reached");
}

void TestGuiWidgets::errorMessageNamesCodeDetailAndAdvice()
{
    QFETCH(int, code);
    QFETCH(QString, detail);
    QFETCH(int, operation);
    QFETCH(QString, advice);

    const QString message =
        serviceErrorMessage(ServiceError(code, detail), static_cast<FailedOperation>(operation));
    if (code != 0)
        QVERIFY2(message.contains(QString::number(code)), qPrintable(message));
    QVERIFY2(message.contains(detail.toHtmlEscaped()), qPrintable(message));
    QVERIFY2(message.contains(advice), qPrintable(message));
}

void TestGuiWidgets::bannerReplacesAndDismisses()
{
    QWidget window;
    auto *banner = new MessageBanner(&window);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy dismissedSpy(banner, &MessageBanner::dismissed);
    QVERIFY(dismissedSpy.isValid());

    QAction retry(QStringLiteral("Retry"));
    banner->showMessage(MessageBanner::Kind::Error, QStringLiteral("first"), { &retry });
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->actionButtons().size(), 1);

    banner->showMessage(MessageBanner::Kind::Warning, QStringLiteral("second"));
    QCOMPARE(banner->text(), QStringLiteral("second"));
    QCOMPARE(banner->kind(), MessageBanner::Kind::Warning);
    QVERIFY(banner->actionButtons().isEmpty());

    QToolButton *close = nullptr;
    for (auto *button : banner->findChildren<QToolButton *>()) {
        if (button->accessibleName() == MessageBanner::tr("Dismiss"))
            close = button;
    }
    QVERIFY(close);
    QTest::mouseClick(close, Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    QCOMPARE(dismissedSpy.count(), 1);
}

void TestGuiWidgets::statusPanelEnablesReindexOnlyInPartialIndex_data()
{
    QTest::addColumn<DatasetStatus>("status");
    QTest::addColumn<bool>("enabled");
    QTest::newRow("DRAFT") << DatasetStatus::Draft << false;
    QTest::newRow("INDEXING") << DatasetStatus::Indexing << false;
    QTest::newRow("READ ONLY") << DatasetStatus::ReadOnly << false;
    QTest::newRow("PARTIAL INDEX") << DatasetStatus::PartialIndex << true;
    QTest::newRow("READY") << DatasetStatus::Ready << false;
    QTest::newRow("ERROR") << DatasetStatus::Error << false;
}

void TestGuiWidgets::statusPanelEnablesReindexOnlyInPartialIndex()
{
    QFETCH(DatasetStatus, status);
    QFETCH(bool, enabled);

    StatusPanel panel;
    DatasetInfo dataset;
    dataset.id = QStringLiteral("d1");
    dataset.status = status;
    panel.setDataset(dataset);
    QCOMPARE(panel.reindexButton()->isEnabled(), enabled);
    QCOMPARE(panel.badge()->text(), statusToApiString(status));
}

void TestGuiWidgets::statusPanelRecordsEachTransitionOnce()
{
    StatusPanel panel;
    DatasetInfo dataset;
    dataset.id = QStringLiteral("d1");
    const QList<DatasetStatus> sequence{ DatasetStatus::Ready, DatasetStatus::ReadOnly,
                                         DatasetStatus::ReadOnly, DatasetStatus::PartialIndex };
    for (DatasetStatus status : sequence) {
        dataset.status = status;
        dataset.progress += 30;
        panel.setDataset(dataset);
    }
    QTreeWidget *timeline = panel.timeline();
    QCOMPARE(timeline->topLevelItemCount(), 3);
    QCOMPARE(timeline->topLevelItem(0)->text(1), QStringLiteral("READY"));
    QCOMPARE(timeline->topLevelItem(1)->text(1), QStringLiteral("READ ONLY"));
    QCOMPARE(timeline->topLevelItem(2)->text(1), QStringLiteral("PARTIAL INDEX"));
}

void TestGuiWidgets::batchReportListsRejectedFiles()
{
    TaskInfo task;
    task.taskId = QStringLiteral("t1");
    task.type = TaskType::MediaAddition;
    task.status = TaskStatus::Completed;
    task.result.addedImages = 3;
    task.result.rejected = { { QStringLiteral("a/broken.jpg"), QStringLiteral("truncated image") },
                             { QStringLiteral("notes.txt"), QStringLiteral("unsupported format") } };

    BatchReportDialog dialog;
    dialog.setTask(task);
    QVERIFY(!dialog.isModal());
    QCOMPARE(dialog.rejectedList()->topLevelItemCount(), 2);
    QCOMPARE(dialog.rejectedList()->topLevelItem(0)->text(0), QStringLiteral("a/broken.jpg"));
    QCOMPARE(dialog.rejectedList()->topLevelItem(0)->text(1), QStringLiteral("truncated image"));
    QCOMPARE(dialog.rejectedList()->topLevelItem(1)->text(1), QStringLiteral("unsupported format"));
    const QString summary = BatchReportDialog::summary(task);
    QVERIFY2(summary.contains(QLatin1String("3 images")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("2 files rejected")), qPrintable(summary));
}

void TestGuiWidgets::badgeUsesApiSpelling()
{
    StatusBadge badge;
    QSignalSpy spy(&badge, &StatusBadge::statusChanged);
    QVERIFY(spy.isValid());
    QVERIFY(badge.text().isEmpty());
    badge.setStatus(DatasetStatus::PartialIndex);
    badge.setStatus(DatasetStatus::PartialIndex);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(badge.text(), QStringLiteral("PARTIAL INDEX"));
    QVERIFY(StatusBadge::backgroundColor(DatasetStatus::PartialIndex)
            != StatusBadge::backgroundColor(DatasetStatus::Ready));
}

QTEST_MAIN(TestGuiWidgets)
#include "tst_guiwidgets.moc"
