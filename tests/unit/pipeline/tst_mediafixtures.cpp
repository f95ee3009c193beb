#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "inputfixtures.h"
#include "pipeline/media/mediaanalyzer.h"
#include "pipeline/media/mediasource.h"

using namespace Accrete;
using TestSupport::FixtureOutcome;
using TestSupport::InputFixture;

Q_DECLARE_METATYPE(Accrete::TestSupport::InputFixture)

namespace {

// One entry that was not added, with the reason given for it.
struct Rejection
{
    QString relativePath;
    QString reason;
};

struct BatchResult
{
    int added = 0;
    QList<Rejection> rejections;
    QList<MediaAnalysis> analyses;
};

// Runs `source` the way the pipeline does. Every entry's bytes are copied to a scratch file
// and analysed, and entries that cannot be read or analysed are listed with their reason.
BatchResult runBatch(MediaSource &source, const QString &scratchDir)
{
    BatchResult result;
    SourceEntry entry;
    int index = 0;
    while (source.next(&entry)) {
        if (!entry.rejectionReason.isEmpty()) {
            result.rejections.append({ entry.relativePath, entry.rejectionReason });
            continue;
        }
        const QString copy = QDir(scratchDir).filePath(QStringLiteral("entry-%1").arg(index++));
        QFile file(copy);
        if (!file.open(QIODevice::WriteOnly))
            return result;
        char buffer[64 * 1024];
        qint64 count = 0;
        while ((count = source.read(buffer, sizeof buffer)) > 0)
            file.write(buffer, count);
        file.close();
        if (count < 0) {
            result.rejections.append({ entry.relativePath, source.errorString() });
            continue;
        }
        const MediaAnalysis analysis = analyzeMedia(copy, entry.relativePath, AnalyzerSettings {});
        if (analysis.ok) {
            ++result.added;
            result.analyses.append(analysis);
        } else {
            result.rejections.append({ entry.relativePath, analysis.rejectionReason });
        }
    }
    if (!source.errorString().isEmpty())
        result.rejections.append({ QString(), source.errorString() });
    return result;
}

QString describe(const QList<Rejection> &rejections)
{
    QStringList lines;
    for (const Rejection &rejection : rejections)
        lines.append(rejection.relativePath + QStringLiteral(": ") + rejection.reason);
    return lines.join(QStringLiteral("; "));
}

} // namespace

// Every bad-input fixture of the test support library, run through the sources and the
// analyzer as one batch each.
class TestMediaFixtures : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_fixtureDir;
    QList<InputFixture> m_fixtures;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_fixtureDir.isValid());
        QString error;
        m_fixtures = TestSupport::makeAllInputFixtures(m_fixtureDir.path(), &error);
        QVERIFY2(!m_fixtures.isEmpty(), qPrintable(error));
    }

    void fixtureHandled_data()
    {
        QTest::addColumn<InputFixture>("fixture");
        for (const InputFixture &fixture : std::as_const(m_fixtures))
            QTest::newRow(qPrintable(fixture.category + QLatin1Char(' ') + fixture.name))
                << fixture;
    }

    void fixtureHandled()
    {
        QFETCH(InputFixture, fixture);
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());

        std::unique_ptr<MediaSource> source = fixture.isArchive
            ? openArchiveSource(fixture.path, SourceLimits {})
            : openFileSource({ fixture.path }, SourceLimits {});
        const BatchResult result = runBatch(*source, scratch.path());
        const QString rejections = describe(result.rejections);

        QVERIFY2(result.added == fixture.addedItems,
                 qPrintable(QStringLiteral("added %1 of %2; rejected: %3")
                                .arg(result.added)
                                .arg(fixture.addedItems)
                                .arg(rejections)));
        if (fixture.outcome == FixtureOutcome::Rejected) {
            bool found = false;
            for (const Rejection &rejection : result.rejections)
                found = found
                    || (rejection.relativePath.endsWith(fixture.rejectedPath)
                        && fixture.reason.match(rejection.reason).hasMatch());
            QVERIFY2(
                found,
                qPrintable(QStringLiteral("expected %1 rejected matching \"%2\"; got %3")
                               .arg(fixture.rejectedPath, fixture.reason.pattern(), rejections)));
        } else {
            QVERIFY2(result.rejections.isEmpty(), qPrintable(rejections));
        }
        if (fixture.expectedWidth > 0) {
            QCOMPARE(result.analyses.size(), 1);
            QCOMPARE(result.analyses.first().width, fixture.expectedWidth);
            QCOMPARE(result.analyses.first().height, fixture.expectedHeight);
        }
    }
};

QTEST_GUILESS_MAIN(TestMediaFixtures)
#include "tst_mediafixtures.moc"
