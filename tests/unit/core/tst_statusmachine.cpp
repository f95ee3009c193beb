#include <QSet>
#include <QTest>

#include "core/statusmachine.h"

Q_DECLARE_METATYPE(Accrete::DatasetOperation)
Q_DECLARE_METATYPE(Accrete::DatasetState)

using namespace Accrete;

namespace {

const QList<DatasetStatus> allStatuses = {
    DatasetStatus::Draft,        DatasetStatus::Indexing, DatasetStatus::ReadOnly,
    DatasetStatus::PartialIndex, DatasetStatus::Ready,    DatasetStatus::Error,
};

QString transitionName(DatasetStatus from, DatasetStatus to)
{
    return statusToApiString(from) + QStringLiteral(" -> ") + statusToApiString(to);
}

// The transitions the status model allows; every other pair must be rejected.
QSet<QString> allowedTransitions()
{
    using S = DatasetStatus;
    return {
        transitionName(S::Draft, S::Indexing),
        transitionName(S::Draft, S::Error),
        transitionName(S::Indexing, S::Ready),
        transitionName(S::Indexing, S::Error),
        transitionName(S::Ready, S::ReadOnly),
        transitionName(S::PartialIndex, S::ReadOnly),
        transitionName(S::ReadOnly, S::PartialIndex),
        transitionName(S::ReadOnly, S::Indexing),
        transitionName(S::ReadOnly, S::Ready),
        transitionName(S::ReadOnly, S::Error),
    };
}

DatasetState stateOf(DatasetStatus status, std::optional<TaskType> running = std::nullopt,
                     bool hasEmbedding = true)
{
    DatasetState state;
    state.datasetId = QStringLiteral("54c51218-db7a-11f0-b8bd-ea1ec7478511");
    state.status = status;
    state.runningTask = running;
    state.hasEmbeddingConfig = hasEmbedding;
    return state;
}

} // namespace

class TestStatusMachine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void transitionTable_data();
    void transitionTable();
    void allowedSetMatchesModel();

    void acceptedOperations_data();
    void acceptedOperations();
    void rejectedOperations_data();
    void rejectedOperations();

    void successPathsFollowAllowedTransitions_data();
    void successPathsFollowAllowedTransitions();
    void taskTypeForOperation();
};

void TestStatusMachine::transitionTable_data()
{
    QTest::addColumn<DatasetStatus>("from");
    QTest::addColumn<DatasetStatus>("to");
    QTest::addColumn<bool>("allowed");

    const QSet<QString> allowed = allowedTransitions();
    for (DatasetStatus from : allStatuses) {
        for (DatasetStatus to : allStatuses) {
            const QString name = transitionName(from, to);
            QTest::newRow(qPrintable(name)) << from << to << allowed.contains(name);
        }
    }
}

void TestStatusMachine::transitionTable()
{
    QFETCH(DatasetStatus, from);
    QFETCH(DatasetStatus, to);
    QFETCH(bool, allowed);

    QCOMPARE(StatusMachine::isTransitionAllowed(from, to), allowed);
}

void TestStatusMachine::allowedSetMatchesModel()
{
    int allowedCount = 0;
    for (DatasetStatus from : allStatuses) {
        for (DatasetStatus to : allStatuses)
            allowedCount += StatusMachine::isTransitionAllowed(from, to) ? 1 : 0;
    }
    QCOMPARE(allowedCount, int(allowedTransitions().size()));
    // No status may transition to itself: a repeated status is not a transition.
    for (DatasetStatus status : allStatuses)
        QVERIFY2(!StatusMachine::isTransitionAllowed(status, status),
                 qPrintable(statusToApiString(status)));
}

void TestStatusMachine::acceptedOperations_data()
{
    QTest::addColumn<DatasetOperation>("operation");
    QTest::addColumn<DatasetStatus>("status");
    QTest::addColumn<bool>("hasEmbedding");

    QTest::newRow("create from DRAFT") << DatasetOperation::Create << DatasetStatus::Draft << false;
    QTest::newRow("add_media on READY") << DatasetOperation::AddMedia << DatasetStatus::Ready << true;
    QTest::newRow("add_media on PARTIAL INDEX")
        << DatasetOperation::AddMedia << DatasetStatus::PartialIndex << true;
    QTest::newRow("reindex on PARTIAL INDEX")
        << DatasetOperation::Reindex << DatasetStatus::PartialIndex << true;
}

void TestStatusMachine::acceptedOperations()
{
    QFETCH(DatasetOperation, operation);
    QFETCH(DatasetStatus, status);
    QFETCH(bool, hasEmbedding);

    const auto rejection =
        StatusMachine::checkOperation(operation, stateOf(status, std::nullopt, hasEmbedding));
    QVERIFY2(!rejection, rejection ? qPrintable(rejection->toString()) : "");
}

void TestStatusMachine::rejectedOperations_data()
{
    QTest::addColumn<DatasetOperation>("operation");
    QTest::addColumn<DatasetState>("state");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("detail");

    using S = DatasetStatus;
    using O = DatasetOperation;
    const QString id = stateOf(S::Ready).datasetId;

    QTest::newRow("add_media while MEDIA_ADDITION runs")
        << O::AddMedia << stateOf(S::ReadOnly, TaskType::MediaAddition) << 409
        << QStringLiteral("Operation 'add_media' is blocked while MEDIA_ADDITION task is running");
    QTest::newRow("add_media while REINDEX runs")
        << O::AddMedia << stateOf(S::Indexing, TaskType::Reindex) << 409
        << QStringLiteral("Operation 'add_media' is blocked while REINDEX task is running");
    QTest::newRow("add_media while DATASET_CREATION runs")
        << O::AddMedia << stateOf(S::Indexing, TaskType::DatasetCreation, false) << 409
        << QStringLiteral("Operation 'add_media' is blocked while DATASET_CREATION task is running");
    QTest::newRow("reindex while MEDIA_ADDITION runs")
        << O::Reindex << stateOf(S::ReadOnly, TaskType::MediaAddition) << 409
        << QStringLiteral("Operation 'reindex' is blocked while MEDIA_ADDITION task is running");
    QTest::newRow("reindex while REINDEX runs")
        << O::Reindex << stateOf(S::Indexing, TaskType::Reindex) << 409
        << QStringLiteral("Operation 'reindex' is blocked while REINDEX task is running");

    QTest::newRow("add_media on a never indexed DRAFT dataset")
        << O::AddMedia << stateOf(S::Draft, std::nullopt, false) << 400
        << QStringLiteral("Dataset %1 has no embedding_config \u2014 index the dataset first.").arg(id);
    QTest::newRow("add_media on ERROR without embedding config")
        << O::AddMedia << stateOf(S::Error, std::nullopt, false) << 400
        << QStringLiteral("Dataset %1 has no embedding_config \u2014 index the dataset first.").arg(id);
    QTest::newRow("add_media on ERROR")
        << O::AddMedia << stateOf(S::Error) << 409
        << QStringLiteral("Operation 'add_media' requires dataset status READY or PARTIAL INDEX, "
                          "but it is ERROR");
    QTest::newRow("add_media on READ ONLY without a task")
        << O::AddMedia << stateOf(S::ReadOnly) << 409
        << QStringLiteral("Operation 'add_media' requires dataset status READY or PARTIAL INDEX, "
                          "but it is READ ONLY");

    const QList<DatasetStatus> notPartial = { S::Draft, S::Indexing, S::ReadOnly, S::Ready,
                                              S::Error };
    for (DatasetStatus status : notPartial) {
        QTest::newRow(qPrintable(QStringLiteral("reindex on ") + statusToApiString(status)))
            << O::Reindex << stateOf(status) << 409
            << QStringLiteral("Operation 'reindex' requires dataset status PARTIAL INDEX, but it is %1")
                   .arg(statusToApiString(status));
    }

    QTest::newRow("create on READY")
        << O::Create << stateOf(S::Ready) << 409
        << QStringLiteral("Operation 'create' requires dataset status DRAFT, but it is READY");
}

void TestStatusMachine::rejectedOperations()
{
    QFETCH(DatasetOperation, operation);
    QFETCH(DatasetState, state);
    QFETCH(int, code);
    QFETCH(QString, detail);

    const auto rejection = StatusMachine::checkOperation(operation, state);
    QVERIFY(rejection.has_value());
    QCOMPARE(rejection->code(), code);
    QCOMPARE(rejection->detail(), detail);
}

void TestStatusMachine::successPathsFollowAllowedTransitions_data()
{
    QTest::addColumn<DatasetOperation>("operation");
    QTest::addColumn<DatasetStatus>("from");
    QTest::addColumn<bool>("autoReindex");
    QTest::addColumn<QList<DatasetStatus>>("expected");

    using S = DatasetStatus;
    QTest::newRow("create") << DatasetOperation::Create << S::Draft << false
                            << QList<S>{ S::Indexing, S::Ready };
    QTest::newRow("add_media from READY") << DatasetOperation::AddMedia << S::Ready << false
                                          << QList<S>{ S::ReadOnly, S::PartialIndex };
    QTest::newRow("add_media from PARTIAL INDEX")
        << DatasetOperation::AddMedia << S::PartialIndex << false
        << QList<S>{ S::ReadOnly, S::PartialIndex };
    QTest::newRow("add_media with auto_reindex")
        << DatasetOperation::AddMedia << S::Ready << true
        << QList<S>{ S::ReadOnly, S::Indexing, S::Ready };
    QTest::newRow("reindex") << DatasetOperation::Reindex << S::PartialIndex << false
                             << QList<S>{ S::ReadOnly, S::Indexing, S::Ready };
}

void TestStatusMachine::successPathsFollowAllowedTransitions()
{
    QFETCH(DatasetOperation, operation);
    QFETCH(DatasetStatus, from);
    QFETCH(bool, autoReindex);
    QFETCH(QList<DatasetStatus>, expected);

    const QList<DatasetStatus> path = StatusMachine::successPath(operation, autoReindex);
    QCOMPARE(path, expected);
    DatasetStatus current = from;
    for (DatasetStatus next : path) {
        QVERIFY2(StatusMachine::isTransitionAllowed(current, next),
                 qPrintable(transitionName(current, next)));
        current = next;
    }
}

void TestStatusMachine::taskTypeForOperation()
{
    QCOMPARE(StatusMachine::taskTypeFor(DatasetOperation::Create), TaskType::DatasetCreation);
    QCOMPARE(StatusMachine::taskTypeFor(DatasetOperation::AddMedia), TaskType::MediaAddition);
    QCOMPARE(StatusMachine::taskTypeFor(DatasetOperation::Reindex), TaskType::Reindex);
}

QTEST_APPLESS_MAIN(TestStatusMachine)
#include "tst_statusmachine.moc"
