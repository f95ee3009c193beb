// The dataset view and the main window over a real EmbeddedService. Each test creates a
// dataset from opencv-doc photos in a temporary data directory, drops batches as the desktop
// delivers them and checks what the badge, the grid and the banner show.

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QLabel>
#include <QListView>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>

#include <memory>

#include "core/metatypes.h"
#include "core/statusmachine.h"
#include "pipeline/embeddedservice.h"
#include "testsupport.h"
#include "ui/batchreportdialog.h"
#include "ui/datasetlistmodel.h"
#include "ui/datasetview.h"
#include "ui/dropoverlay.h"
#include "ui/mainwindow.h"
#include "ui/mediagridmodel.h"
#include "ui/messagebanner.h"
#include "ui/statusbadge.h"
#include "ui/statuspanel.h"

using namespace Accrete;

namespace {

constexpr int kIndexTimeoutMs = 180000;
constexpr int kRequestTimeoutMs = 30000;
constexpr int kInitialPhotos = 5;

// Waits for `future` while the event loop runs; returns false on timeout.
template<typename T>
bool waitFor(const QFuture<T> &future, int timeoutMs = kRequestTimeoutMs)
{
    return QTest::qWaitFor([&future] { return future.isFinished(); }, timeoutMs);
}

QMimeData *fileUrlsMimeData(const QStringList &paths)
{
    auto *mimeData = new QMimeData;
    QList<QUrl> urls;
    for (const QString &path : paths)
        urls.append(QUrl::fromLocalFile(path));
    mimeData->setUrls(urls);
    return mimeData;
}

// Sends the drag-enter, drag-move and drop events a desktop drop delivers, as a copy.
// Returns whether the target accepted the drag-enter event.
bool dropPaths(QWidget *target, const QStringList &paths, bool *overlayShown = nullptr)
{
    std::unique_ptr<QMimeData> mimeData(fileUrlsMimeData(paths));
    const QPoint position = target->rect().center();
    QDragEnterEvent enter(position, Qt::CopyAction, mimeData.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    if (overlayShown) {
        auto *overlay = target->findChild<DropOverlay *>();
        *overlayShown = overlay && overlay->isVisible();
    }
    QDragMoveEvent move(position, Qt::CopyAction, mimeData.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &move);
    QDropEvent drop(QPointF(position), Qt::CopyAction, mimeData.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

} // namespace

class TestDatasetView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void gridModelPagesWithoutDuplicates();
    void sortByOutlierScoreReloadsGrid();
    void dropOfPhotosGoesToPartialIndex();
    void reindexNowReturnsToReady();
    void secondDropWhileReadOnlyShowsConflict();
    void reindexWhileReadyShowsConflict();
    void batchReportListsRejectedFile();
    void batchFinishedBeforeOpeningIsReported();
    void mainWindowListsDatasets();
    void mainWindowCreatesDatasetFromFolder();
    void screenshotOfPartialIndex();
    void screenshotOfConflictBanner();
    void appScreenshotOptionSavesWindow();
    void screenshotOfDragFeedback();

private:
    // Creates a dataset from kInitialPhotos photos and waits until it is READY.
    QString createReadyDataset();
    DatasetInfo fetchDataset(const QString &datasetId);
    // Opens a shown DatasetView, with a model tester on its grid model, once it has loaded its dataset.
    DatasetView *openView(const QString &datasetId);
    // Photos not in the initial dataset, copied to a new folder.
    QStringList newPhotos(const QString &folderName, int count, int offset = kInitialPhotos);
    // Shows a MainWindow with the dataset open in a tab, sized for the documentation.
    DatasetView *openInMainWindow(const QString &datasetId);
    // Waits until every thumbnail the grid shows has loaded, then saves the window as
    // `name` in $ACCRETE_SCREENSHOT_DIR (or the test's temporary folder).
    bool saveScreenshot(DatasetView *view, const QString &name);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedService> m_service;
    std::unique_ptr<QWidget> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_gridTester;
    QStringList m_badgeTexts;
};

void TestDatasetView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    registerCoreMetaTypes();
    QVERIFY2(TestSupport::opencvPhotos().size() >= kInitialPhotos + 12,
             "too few photos in /usr/share/doc/opencv-doc/examples/data; install opencv-doc");
}

void TestDatasetView::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_service = std::make_unique<EmbeddedService>(m_dir->filePath(QStringLiteral("data")));
    m_badgeTexts.clear();
}

void TestDatasetView::cleanup()
{
    m_gridTester.reset();
    m_window.reset();
    m_service.reset();
    m_dir.reset();
}

DatasetInfo TestDatasetView::fetchDataset(const QString &datasetId)
{
    QFuture<DatasetInfo> future = m_service->dataset(datasetId);
    if (!waitFor(future))
        return {};
    try {
        return future.result();
    } catch (const ServiceError &) {
        return {};
    }
}

QString TestDatasetView::createReadyDataset()
{
    const QStringList photos =
        TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("initial")), kInitialPhotos);
    if (photos.size() != kInitialPhotos)
        return {};
    CreateDatasetRequest request;
    request.name = QStringLiteral("Sample photos");
    request.path = m_dir->filePath(QStringLiteral("initial"));
    QFuture<DatasetInfo> future = m_service->createDataset(request);
    if (!waitFor(future))
        return {};
    QString datasetId;
    try {
        datasetId = future.result().id;
    } catch (const ServiceError &error) {
        qWarning("createDataset failed: %s", error.what());
        return {};
    }
    const bool ready = QTest::qWaitFor(
        [&] { return fetchDataset(datasetId).status == DatasetStatus::Ready; }, kIndexTimeoutMs);
    return ready ? datasetId : QString();
}

DatasetView *TestDatasetView::openView(const QString &datasetId)
{
    auto *view = new DatasetView(m_service.get(), datasetId);
    m_window.reset(view);
    m_gridTester = std::make_unique<QAbstractItemModelTester>(
        view->gridModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(view->statusPanel()->badge(), &StatusBadge::statusChanged, this,
            [this, view] { m_badgeTexts.append(view->statusPanel()->badge()->text()); });
    view->resize(1100, 720);
    view->show();
    if (!QTest::qWaitForWindowExposed(view))
        return nullptr;
    if (!QTest::qWaitFor([view] { return view->hasDataset(); }, kRequestTimeoutMs))
        return nullptr;
    return view;
}

QStringList TestDatasetView::newPhotos(const QString &folderName, int count, int offset)
{
    return TestSupport::copyPhotos(m_dir->filePath(folderName), count, offset);
}

void TestDatasetView::gridModelPagesWithoutDuplicates()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    MediaGridModel model(m_service.get(), datasetId);
    QSignalSpy pageSpy(&model, &MediaGridModel::pageLoaded);
    QVERIFY(pageSpy.isValid());
    // The tester calls fetchMore after every change, as a scrolling view would.
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPageSize(2);
    model.reload();
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), kInitialPhotos, kRequestTimeoutMs);
    QCOMPARE(model.totalCount(), kInitialPhotos);
    QVERIFY(!model.canFetchMore(QModelIndex()));
    QCOMPARE(pageSpy.count(), (kInitialPhotos + 1) / 2);

    // A batch appears at once through mediaAdded, at the end, and no later page repeats it.
    AddMediaRequest request;
    request.files = newPhotos(QStringLiteral("batch"), 3);
    QFuture<AddMediaAccepted> accepted = m_service->addMedia(datasetId, request);
    QVERIFY(waitFor(accepted));
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), kInitialPhotos + 3, kIndexTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!model.canFetchMore(QModelIndex()), kRequestTimeoutMs);
    QCOMPARE(model.rowCount(), kInitialPhotos + 3);
    QSet<QString> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.insert(model.itemAt(row).id);
    QCOMPARE(ids.size(), kInitialPhotos + 3);
    for (int row = kInitialPhotos; row < model.rowCount(); ++row)
        QVERIFY(!model.itemAt(row).clustered);
}

void TestDatasetView::sortByOutlierScoreReloadsGrid()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openView(datasetId);
    QVERIFY(view);
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos, kRequestTimeoutMs);

    QComboBox *sortBox = nullptr;
    for (auto *box : view->findChildren<QComboBox *>()) {
        if (box->findData(int(MediaSort::OutlierScore)) >= 0)
            sortBox = box;
    }
    QVERIFY(sortBox);
    QSignalSpy resetSpy(view->gridModel(), &QAbstractItemModel::modelReset);
    QVERIFY(resetSpy.isValid());
    sortBox->setCurrentIndex(sortBox->findData(int(MediaSort::OutlierScore)));
    QCOMPARE(view->gridModel()->sort(), MediaSort::OutlierScore);
    QCOMPARE(resetSpy.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos, kRequestTimeoutMs);

    // Most unusual first.
    for (int row = 1; row < view->gridModel()->rowCount(); ++row) {
        QVERIFY2(view->gridModel()->itemAt(row - 1).outlierScore
                     >= view->gridModel()->itemAt(row).outlierScore,
                 qPrintable(QStringLiteral("row %1").arg(row)));
    }
}

void TestDatasetView::dropOfPhotosGoesToPartialIndex()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openView(datasetId);
    QVERIFY(view);
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos, kRequestTimeoutMs);
    QCOMPARE(view->statusPanel()->badge()->text(), QStringLiteral("READY"));
    QVERIFY(!view->statusPanel()->reindexButton()->isEnabled());

    const QStringList photos = newPhotos(QStringLiteral("batch"), 3);
    QCOMPARE(photos.size(), 3);
    bool overlayShown = false;
    QVERIFY(dropPaths(view->dropTarget(), photos, &overlayShown));
    QVERIFY(overlayShown);
    QVERIFY(!view->dropOverlay()->isVisible());

    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"),
                              kIndexTimeoutMs);
    const qsizetype readOnlyAt = m_badgeTexts.indexOf(QStringLiteral("READ ONLY"));
    QVERIFY2(readOnlyAt >= 0, qPrintable(m_badgeTexts.join(QLatin1String(", "))));
    QVERIFY(readOnlyAt < m_badgeTexts.lastIndexOf(QStringLiteral("PARTIAL INDEX")));

    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos + 3, kRequestTimeoutMs);
    int unclustered = 0;
    for (int row = 0; row < view->gridModel()->rowCount(); ++row) {
        if (!view->gridModel()->index(row).data(MediaGridModel::ClusteredRole).toBool())
            ++unclustered;
    }
    QCOMPARE(unclustered, 3);
    QVERIFY(view->statusPanel()->reindexButton()->isEnabled());
    QVERIFY(view->statusPanel()->timeline()->topLevelItemCount() >= 3);
}

void TestDatasetView::reindexNowReturnsToReady()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openView(datasetId);
    QVERIFY(view);
    QVERIFY(dropPaths(view->dropTarget(), newPhotos(QStringLiteral("batch"), 2)));
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"),
                              kIndexTimeoutMs);
    m_badgeTexts.clear();

    QPushButton *reindex = view->statusPanel()->reindexButton();
    QTRY_VERIFY(reindex->isEnabled());
    QTest::mouseClick(reindex, Qt::LeftButton);
    QVERIFY(!reindex->isEnabled());

    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("READY"),
                              kIndexTimeoutMs);
    QVERIFY2(m_badgeTexts.contains(QStringLiteral("INDEXING")),
             qPrintable(m_badgeTexts.join(QLatin1String(", "))));
    QVERIFY(!reindex->isEnabled());
    QVERIFY(!view->reindexAction()->isEnabled());
    QVERIFY(!view->banner()->isVisible());

    // The reindex clusters every item, the dropped ones included.
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos + 2, kRequestTimeoutMs);
    for (int row = 0; row < view->gridModel()->rowCount(); ++row)
        QVERIFY(view->gridModel()->index(row).data(MediaGridModel::ClusteredRole).toBool());
}

void TestDatasetView::secondDropWhileReadOnlyShowsConflict()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openView(datasetId);
    QVERIFY(view);

    const QStringList first = newPhotos(QStringLiteral("first"), 6);
    const QStringList second = newPhotos(QStringLiteral("second"), 2, kInitialPhotos + 6);
    QCOMPARE(second.size(), 2);
    QVERIFY(dropPaths(view->dropTarget(), first));
    // The embedded service accepts or rejects before its future exists, so the first batch
    // still runs when the second arrives.
    QVERIFY(dropPaths(view->dropTarget(), second));

    DatasetState busy;
    busy.datasetId = datasetId;
    busy.status = DatasetStatus::ReadOnly;
    busy.runningTask = TaskType::MediaAddition;
    busy.hasEmbeddingConfig = true;
    const QString detail =
        StatusMachine::checkOperation(DatasetOperation::AddMedia, busy)->detail().toHtmlEscaped();
    QTRY_VERIFY_WITH_TIMEOUT(view->banner()->isVisible(), kRequestTimeoutMs);
    QCOMPARE(view->banner()->kind(), MessageBanner::Kind::Error);
    QVERIFY2(view->banner()->text().contains(QLatin1String("409")), qPrintable(view->banner()->text()));
    QVERIFY2(view->banner()->text().contains(detail), qPrintable(view->banner()->text()));
    QCOMPARE(view->banner()->actionButtons().size(), 1);
    QCOMPARE(view->banner()->actionButtons().first()->defaultAction(), view->retryAction());

    // Nothing dropped is lost: Retry sends the second batch once the first has ended.
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"),
                              kIndexTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos + 6, kRequestTimeoutMs);
    QVERIFY(view->retryAction()->isEnabled());
    QTest::mouseClick(view->banner()->actionButtons().first(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!view->banner()->isVisible(), kRequestTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos + 8, kIndexTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"),
                              kIndexTimeoutMs);
}

void TestDatasetView::reindexWhileReadyShowsConflict()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openView(datasetId);
    QVERIFY(view);
    QVERIFY(!view->statusPanel()->reindexButton()->isEnabled());

    view->reindexNow();

    DatasetState ready;
    ready.datasetId = datasetId;
    ready.status = DatasetStatus::Ready;
    ready.hasEmbeddingConfig = true;
    const QString detail =
        StatusMachine::checkOperation(DatasetOperation::Reindex, ready)->detail().toHtmlEscaped();
    QTRY_VERIFY_WITH_TIMEOUT(view->banner()->isVisible(), kRequestTimeoutMs);
    QVERIFY2(view->banner()->text().contains(QLatin1String("409")), qPrintable(view->banner()->text()));
    QVERIFY2(view->banner()->text().contains(detail), qPrintable(view->banner()->text()));
    QVERIFY(view->banner()->actionButtons().isEmpty());
    QCOMPARE(fetchDataset(datasetId).status, DatasetStatus::Ready);
    QVERIFY(!view->statusPanel()->reindexButton()->isEnabled());
}

void TestDatasetView::batchReportListsRejectedFile()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openView(datasetId);
    QVERIFY(view);

    QStringList paths = newPhotos(QStringLiteral("mixed"), 2);
    const QString broken = m_dir->filePath(QStringLiteral("mixed/broken.jpg"));
    QFile source(paths.first());
    QVERIFY(source.open(QIODevice::ReadOnly));
    QFile truncated(broken);
    QVERIFY(truncated.open(QIODevice::WriteOnly));
    // The JPEG header survives, the image data does not.
    truncated.write(source.read(600));
    truncated.close();
    paths.append(broken);

    QVERIFY(dropPaths(view->dropTarget(), paths));
    QTRY_VERIFY_WITH_TIMEOUT(view->lastBatch().has_value(), kIndexTimeoutMs);
    const TaskInfo task = *view->lastBatch();
    QCOMPARE(task.result.addedImages, 2);
    QCOMPARE(task.result.rejected.size(), 1);
    QVERIFY2(task.result.rejected.first().path.endsWith(QLatin1String("broken.jpg")),
             qPrintable(task.result.rejected.first().path));

    QVERIFY(view->banner()->isVisible());
    QCOMPARE(view->banner()->kind(), MessageBanner::Kind::Warning);
    QCOMPARE(view->banner()->actionButtons().size(), 1);
    QTest::mouseClick(view->banner()->actionButtons().first(), Qt::LeftButton);
    BatchReportDialog *report = view->batchReportDialog();
    QVERIFY(report->isVisible());
    QVERIFY(!report->isModal());
    QCOMPARE(report->rejectedList()->topLevelItemCount(), 1);
    QVERIFY(report->rejectedList()->topLevelItem(0)->text(0).endsWith(QLatin1String("broken.jpg")));
    QVERIFY(!report->rejectedList()->topLevelItem(0)->text(1).isEmpty());
    QVERIFY(view->statusPanel()->batchReportButton()->isEnabled());
}

void TestDatasetView::batchFinishedBeforeOpeningIsReported()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());

    QStringList paths = newPhotos(QStringLiteral("earlier"), 1);
    const QString broken = m_dir->filePath(QStringLiteral("earlier/cut.jpg"));
    QFile source(paths.first());
    QVERIFY(source.open(QIODevice::ReadOnly));
    QFile truncated(broken);
    QVERIFY(truncated.open(QIODevice::WriteOnly));
    // The JPEG header survives, the image data does not.
    truncated.write(source.read(600));
    truncated.close();
    paths.append(broken);

    // The batch runs and ends before any view of the dataset exists.
    AddMediaRequest request;
    request.files = paths;
    QFuture<AddMediaAccepted> accepted = m_service->addMedia(datasetId, request);
    QVERIFY(waitFor(accepted));
    TaskQuery query;
    query.datasetId = datasetId;
    query.type = TaskType::MediaAddition;
    const auto batchEnded = [&] {
        QFuture<TaskPage> future = m_service->tasks(query);
        if (!waitFor(future))
            return false;
        try {
            const TaskPage page = future.result();
            for (const TaskInfo &task : page.tasks) {
                if (!task.result.rejected.isEmpty() && isFinalTaskStatus(task.status))
                    return true;
            }
        } catch (const ServiceError &) {
        }
        return false;
    };
    QVERIFY(QTest::qWaitFor(batchEnded, kIndexTimeoutMs));

    DatasetView *view = openView(datasetId);
    QVERIFY(view);
    QTRY_VERIFY_WITH_TIMEOUT(view->lastBatch().has_value(), kRequestTimeoutMs);
    const TaskInfo task = *view->lastBatch();
    QCOMPARE(task.type, TaskType::MediaAddition);
    QCOMPARE(task.result.addedImages, 1);
    QCOMPARE(task.result.rejected.size(), 1);
    QVERIFY(view->statusPanel()->batchReportButton()->isEnabled());

    view->showBatchReport();
    BatchReportDialog *report = view->batchReportDialog();
    QVERIFY(report->isVisible());
    QCOMPARE(report->rejectedList()->topLevelItemCount(), 1);
    QVERIFY2(report->rejectedList()->topLevelItem(0)->text(0).endsWith(QLatin1String("cut.jpg")),
             qPrintable(report->rejectedList()->topLevelItem(0)->text(0)));
    QVERIFY(!report->rejectedList()->topLevelItem(0)->text(1).isEmpty());
}

void TestDatasetView::mainWindowListsDatasets()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    auto *window = new MainWindow(m_service.get());
    m_window.reset(window);
    QAbstractItemModelTester listTester(window->datasetModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window));

    QCOMPARE(window->connectionLabel()->text(), m_service->connectionName());
    QTRY_COMPARE_WITH_TIMEOUT(window->datasetModel()->rowCount(), 1, kRequestTimeoutMs);
    const QModelIndex index = window->datasetModel()->index(0);
    QCOMPARE(index.data(DatasetListModel::IdRole).toString(), datasetId);
    QCOMPARE(index.data(Qt::DisplayRole).toString(), QStringLiteral("Sample photos"));
    QCOMPARE(index.data(DatasetListModel::StatusRole).value<DatasetStatus>(), DatasetStatus::Ready);

    // Enter on the selected row opens the dataset in a tab.
    window->datasetList()->setFocus();
    window->datasetList()->setCurrentIndex(index);
    QTest::keyClick(window->datasetList(), Qt::Key_Return);
    QTRY_VERIFY(window->currentDatasetView() != nullptr);
    QCOMPARE(window->currentDatasetView()->datasetId(), datasetId);
    QTRY_VERIFY_WITH_TIMEOUT(window->currentDatasetView()->hasDataset(), kRequestTimeoutMs);

    // A status change reaches the list row without a reload.
    QVERIFY(dropPaths(window->currentDatasetView()->dropTarget(), newPhotos(QStringLiteral("b"), 1)));
    QTRY_COMPARE_WITH_TIMEOUT(window->datasetModel()->index(0).data(DatasetListModel::StatusRole)
                                  .value<DatasetStatus>(),
                              DatasetStatus::PartialIndex, kIndexTimeoutMs);
}

void TestDatasetView::mainWindowCreatesDatasetFromFolder()
{
    const QStringList photos = TestSupport::copyPhotos(m_dir->filePath(QStringLiteral("new")), 3);
    QCOMPARE(photos.size(), 3);
    auto *window = new MainWindow(m_service.get());
    m_window.reset(window);
    QAbstractItemModelTester listTester(window->datasetModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window));

    window->createDatasetFromFolder(m_dir->filePath(QStringLiteral("new")), QStringLiteral("Fresh"));
    QTRY_VERIFY_WITH_TIMEOUT(window->currentDatasetView() != nullptr, kRequestTimeoutMs);
    DatasetView *view = window->currentDatasetView();
    QTRY_COMPARE_WITH_TIMEOUT(window->datasetModel()->rowCount(), 1, kRequestTimeoutMs);
    QCOMPARE(window->datasetModel()->index(0).data(DatasetListModel::IdRole).toString(),
             view->datasetId());
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("READY"),
                              kIndexTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), 3, kRequestTimeoutMs);
    QCOMPARE(window->tabs()->tabText(window->tabs()->currentIndex()), QStringLiteral("Fresh"));
    QVERIFY(!window->banner()->isVisible());
}

DatasetView *TestDatasetView::openInMainWindow(const QString &datasetId)
{
    auto *window = new MainWindow(m_service.get());
    m_window.reset(window);
    window->resize(1360, 820);
    window->show();
    if (!QTest::qWaitForWindowExposed(window))
        return nullptr;
    if (!QTest::qWaitFor([window] { return window->datasetModel()->rowCount() == 1; },
                         kRequestTimeoutMs))
        return nullptr;
    window->datasetList()->setCurrentIndex(window->datasetModel()->index(0));
    DatasetView *view = window->openDataset(datasetId);
    if (!QTest::qWaitFor([view] { return view->hasDataset(); }, kRequestTimeoutMs))
        return nullptr;
    return view;
}

bool TestDatasetView::saveScreenshot(DatasetView *view, const QString &name)
{
    // Painting requests the visible thumbnails; wait until each visible one has arrived.
    const auto visibleThumbnailsLoaded = [view] {
        view->grid()->viewport()->grab();
        if (view->gridModel()->pendingThumbnailCount() > 0)
            return false;
        for (int row = 0; row < view->gridModel()->rowCount(); ++row) {
            const QModelIndex index = view->gridModel()->index(row);
            const bool visible =
                view->grid()->viewport()->rect().intersects(view->grid()->visualRect(index));
            if (visible && !index.data(MediaGridModel::ThumbnailLoadedRole).toBool())
                return false;
        }
        return true;
    };
    if (!QTest::qWaitFor(visibleThumbnailsLoaded, kRequestTimeoutMs))
        return false;

    QWidget *window = m_window.get();
    const QImage image = window->grab().toImage();
    if (image.size() != window->size() * window->devicePixelRatio())
        return false;
    const QString targetDir = qEnvironmentVariable("ACCRETE_SCREENSHOT_DIR", m_dir->path());
    return image.save(QDir(targetDir).filePath(name));
}

void TestDatasetView::screenshotOfPartialIndex()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openInMainWindow(datasetId);
    QVERIFY(view);

    // Two batches, so that the timeline shows a second round of READ ONLY and PARTIAL INDEX.
    QVERIFY(dropPaths(view->dropTarget(), newPhotos(QStringLiteral("batch1"), 4)));
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"),
                              kIndexTimeoutMs);
    // Cosmetic: a second apart, the timeline rows show distinct times.
    QTest::qWait(1100);
    QVERIFY(dropPaths(view->dropTarget(), newPhotos(QStringLiteral("batch2"), 3, kInitialPhotos + 4)));
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos + 7, kIndexTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->timeline()->topLevelItemCount(), 5, kIndexTimeoutMs);
    QCOMPARE(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"));
    QVERIFY(view->statusPanel()->reindexButton()->isEnabled());

    QVERIFY(saveScreenshot(view, QStringLiteral("screenshot-partial-index.png")));
}

void TestDatasetView::screenshotOfConflictBanner()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openInMainWindow(datasetId);
    QVERIFY(view);

    QVERIFY(dropPaths(view->dropTarget(), newPhotos(QStringLiteral("first"), 5)));
    QVERIFY(dropPaths(view->dropTarget(), newPhotos(QStringLiteral("second"), 2, kInitialPhotos + 5)));
    QTRY_VERIFY_WITH_TIMEOUT(view->banner()->isVisible(), kRequestTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(view->statusPanel()->badge()->text(), QStringLiteral("PARTIAL INDEX"),
                              kIndexTimeoutMs);
    QVERIFY(view->banner()->isVisible());
    QVERIFY(view->retryAction()->isEnabled());

    QVERIFY(saveScreenshot(view, QStringLiteral("screenshot-conflict.png")));
}

void TestDatasetView::appScreenshotOptionSavesWindow()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    const QString fileName = m_dir->filePath(QStringLiteral("app.png"));

    QProcess app;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    // Keeps the window state the app saves out of the user's configuration.
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    app.setProcessEnvironment(environment);
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    app.start(QStringLiteral(ACCRETE_APP_PATH),
              { QStringLiteral("--data-dir"), m_dir->filePath(QStringLiteral("data")),
                QStringLiteral("--dataset"), datasetId, QStringLiteral("--screenshot"), fileName });
    QVERIFY2(app.waitForStarted(), qPrintable(app.errorString()));
    QVERIFY(QTest::qWaitFor([&app] { return app.state() == QProcess::NotRunning; }, kIndexTimeoutMs));
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);

    const QImage image(fileName);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800);
    QVERIFY(image.height() >= 500);

    // An unknown id ends the run with an error instead of waiting for a dataset forever.
    const QString missingName = m_dir->filePath(QStringLiteral("missing.png"));
    QProcess missing;
    missing.setProcessEnvironment(environment);
    missing.setProcessChannelMode(QProcess::MergedChannels);
    missing.start(QStringLiteral(ACCRETE_APP_PATH),
                  { QStringLiteral("--data-dir"), m_dir->filePath(QStringLiteral("data")),
                    QStringLiteral("--dataset"), QStringLiteral("nosuch"),
                    QStringLiteral("--screenshot"), missingName });
    QVERIFY2(missing.waitForStarted(), qPrintable(missing.errorString()));
    const bool ended =
        QTest::qWaitFor([&missing] { return missing.state() == QProcess::NotRunning; }, kRequestTimeoutMs);
    if (!ended) {
        missing.kill();
        missing.waitForFinished();
    }
    QVERIFY2(ended, "the app kept running with an unknown dataset id");
    QCOMPARE(missing.exitStatus(), QProcess::NormalExit);
    QVERIFY(missing.exitCode() != 0);
    const QString output = QString::fromLocal8Bit(missing.readAll());
    QVERIFY2(output.contains(QLatin1String("nosuch")), qPrintable(output));
    QVERIFY(!QFile::exists(missingName));
}

void TestDatasetView::screenshotOfDragFeedback()
{
    const QString datasetId = createReadyDataset();
    QVERIFY(!datasetId.isEmpty());
    DatasetView *view = openInMainWindow(datasetId);
    QVERIFY(view);
    QTRY_COMPARE_WITH_TIMEOUT(view->gridModel()->rowCount(), kInitialPhotos, kRequestTimeoutMs);

    std::unique_ptr<QMimeData> mimeData(fileUrlsMimeData(newPhotos(QStringLiteral("drag"), 2)));
    const QPoint position = view->rect().center();
    QDragEnterEvent enter(position, Qt::CopyAction, mimeData.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(view->dropTarget(), &enter);
    QVERIFY(enter.isAccepted());
    QVERIFY(view->dropOverlay()->isVisible());
    QVERIFY(saveScreenshot(view, QStringLiteral("screenshot-drop.png")));

    // Leaving without a drop hides the feedback and sends nothing.
    QDragLeaveEvent leave;
    QCoreApplication::sendEvent(view->dropTarget(), &leave);
    QVERIFY(!view->dropOverlay()->isVisible());
    QCOMPARE(fetchDataset(datasetId).status, DatasetStatus::Ready);
}

QTEST_MAIN(TestDatasetView)
#include "tst_datasetview.moc"
