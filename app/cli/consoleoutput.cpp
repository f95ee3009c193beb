#include "consoleoutput.h"

#include <cstdio>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/serviceerror.h"

namespace Accrete {

namespace {

QString percent(int progress)
{
    return QStringLiteral("%1%").arg(progress, 3);
}

QString orDash(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("-") : text;
}

QString localTime(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(Qt::ISODate) : QStringLiteral("-");
}

// "1 image" or "N images". English picks the singular here because an untranslated %n
// plural form would read "1 image(s)".
QString imageCount(int n)
{
    return n == 1 ? ConsoleOutput::tr("1 image") : ConsoleOutput::tr("%1 images").arg(n);
}

QString videoCount(int n)
{
    return n == 1 ? ConsoleOutput::tr("1 video") : ConsoleOutput::tr("%1 videos").arg(n);
}

// Returns `text` with control characters written as escapes (\n, \t, \r, else \xNN), and
// the Unicode line and paragraph separators as \u2028 and \u2029, so that a file name
// stays on its line of a text table.
QString escapedForLine(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size());
    for (const QChar c : text) {
        if (c == u'\n')
            escaped += QLatin1String("\\n");
        else if (c == u'\t')
            escaped += QLatin1String("\\t");
        else if (c == u'\r')
            escaped += QLatin1String("\\r");
        else if (c.category() == QChar::Other_Control)
            escaped += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else if (c == QChar::LineSeparator || c == QChar::ParagraphSeparator)
            escaped += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            escaped += c;
    }
    return escaped;
}

} // namespace

ConsoleOutput::ConsoleOutput()
    : m_out(stdout)
    , m_err(stderr)
{
}

void ConsoleOutput::printLine(const QString &line)
{
    m_out << line << Qt::endl;
}

void ConsoleOutput::printProgress(const QString &line)
{
    if (m_json)
        m_err << line << Qt::endl;
    else
        m_out << line << Qt::endl;
}

void ConsoleOutput::printJson(const QJsonValue &value, bool oneLine)
{
    const QJsonDocument::JsonFormat format = oneLine ? QJsonDocument::Compact
                                                     : QJsonDocument::Indented;
    QByteArray text;
    if (value.isArray())
        text = QJsonDocument(value.toArray()).toJson(format);
    else
        text = QJsonDocument(value.toObject()).toJson(format);
    m_out << QString::fromUtf8(text.trimmed()) << Qt::endl;
}

void ConsoleOutput::printError(const ServiceError &error)
{
    if (error.code() == 0)
        m_err << tr("error: %1").arg(error.detail()) << Qt::endl;
    else
        m_err << tr("error %1: %2").arg(error.code()).arg(error.detail()) << Qt::endl;
}

void ConsoleOutput::printErrorMessage(const QString &message)
{
    m_err << tr("error: %1").arg(message) << Qt::endl;
}

void ConsoleOutput::printErrorHint(const QString &hint)
{
    m_err << hint << Qt::endl;
}

void ConsoleOutput::printWarning(const QString &message)
{
    m_err << tr("warning: %1").arg(message) << Qt::endl;
}

void ConsoleOutput::printTransition(const DatasetInfo &dataset)
{
    printProgress(QStringLiteral("%1  %2  %3")
                      .arg(QDateTime::currentDateTime().toString(Qt::ISODate),
                           statusToApiString(dataset.status).leftJustified(13),
                           percent(dataset.progress)));
}

void ConsoleOutput::printDataset(const DatasetInfo &dataset)
{
    printLine(tr("Dataset:      %1 (%2)").arg(dataset.displayName, dataset.id));
    printLine(tr("Status:       %1, progress %2%").arg(statusToApiString(dataset.status))
                  .arg(dataset.progress));
    printLine(tr("Media:        %1, %2, %3 not yet clustered")
                  .arg(imageCount(dataset.nImages), videoCount(dataset.nVideos))
                  .arg(dataset.nPendingItems));
    printLine(tr("Clusters:     %1, duplicate groups: %2, outliers: %3")
                  .arg(dataset.nClusters)
                  .arg(dataset.nDuplicateGroups)
                  .arg(dataset.nOutliers));
    printLine(tr("Embedding:    %1").arg(orDash(dataset.embeddingConfig)));
    printLine(tr("Created:      %1").arg(localTime(dataset.createdAt)));
    if (!dataset.fatalErrorMsg.isEmpty())
        printLine(tr("Fatal error:  %1").arg(dataset.fatalErrorMsg));
}

void ConsoleOutput::printDatasetTable(const QList<DatasetInfo> &datasets)
{
    if (datasets.isEmpty()) {
        printLine(tr("No datasets."));
        return;
    }
    printLine(QStringLiteral("%1  %2  %3  %4  %5")
                  .arg(tr("ID").leftJustified(36), tr("STATUS").leftJustified(13),
                       tr("IMAGES").rightJustified(7), tr("VIDEOS").rightJustified(7), tr("NAME")));
    for (const DatasetInfo &dataset : datasets) {
        printLine(QStringLiteral("%1  %2  %3  %4  %5")
                      .arg(dataset.id.leftJustified(36),
                           statusToApiString(dataset.status).leftJustified(13),
                           QString::number(dataset.nImages).rightJustified(7),
                           QString::number(dataset.nVideos).rightJustified(7),
                           escapedForLine(dataset.displayName)));
    }
}

void ConsoleOutput::printTaskTable(const TaskPage &page)
{
    if (page.tasks.isEmpty()) {
        printLine(tr("No tasks."));
        return;
    }
    printLine(QStringLiteral("%1  %2  %3  %4  %5  %6")
                  .arg(tr("TASK ID").leftJustified(36), tr("TYPE").leftJustified(16),
                       tr("STATUS").leftJustified(12), tr("PROGRESS").rightJustified(8),
                       tr("STARTED").leftJustified(19), tr("DATASET")));
    for (const TaskInfo &task : page.tasks) {
        const QString progress = task.progressPercentage
            ? QStringLiteral("%1%").arg(*task.progressPercentage)
            : QStringLiteral("-");
        printLine(QStringLiteral("%1  %2  %3  %4  %5  %6")
                      .arg(task.taskId.leftJustified(36),
                           taskTypeToApiString(task.type).leftJustified(16),
                           taskStatusToApiString(task.status).leftJustified(12),
                           progress.rightJustified(8), localTime(task.startTime).leftJustified(19),
                           escapedForLine(orDash(task.datasetName.isEmpty() ? task.datasetId
                                                                            : task.datasetName))));
    }
    printLine(tr("Page %1, %2 of %3 tasks.")
                  .arg(page.page)
                  .arg(page.tasks.size())
                  .arg(page.total));
}

void ConsoleOutput::printMediaTable(const QList<MediaItem> &items, int total, int offset)
{
    if (items.isEmpty()) {
        printLine(tr("No media in this range (%1 items in the dataset).").arg(total));
        return;
    }
    printLine(QStringLiteral("%1  %2  %3  %4  %5  %6")
                  .arg(tr("KIND").leftJustified(5), tr("BYTES").rightJustified(10),
                       tr("SIZE").rightJustified(11), tr("CLUSTER").rightJustified(7),
                       tr("DUPLICATES").rightJustified(10), tr("PATH")));
    for (const MediaItem &item : items) {
        const QString cluster = item.clustered
            ? (item.clusterId >= 0 ? QString::number(item.clusterId) : QStringLiteral("-"))
            : tr("new");
        const QString duplicates = item.duplicateGroup >= 0 ? QString::number(item.duplicateGroup)
                                                            : QStringLiteral("-");
        printLine(QStringLiteral("%1  %2  %3  %4  %5  %6")
                      .arg(mediaKindToApiString(item.kind).leftJustified(5),
                           QString::number(item.size).rightJustified(10),
                           QStringLiteral("%1x%2").arg(item.width).arg(item.height).rightJustified(11),
                           cluster.rightJustified(7), duplicates.rightJustified(10),
                           escapedForLine(item.relativePath.isEmpty() ? item.fileName
                                                                      : item.relativePath)));
    }
    printLine(tr("Items %1-%2 of %3.")
                  .arg(offset + 1)
                  .arg(offset + int(items.size()))
                  .arg(total));
}

void ConsoleOutput::printBatchResult(const TaskInfo &task)
{
    const TaskResult &result = task.result;
    const int rejected = int(result.rejected.size());
    const QString duplicates = result.skippedDuplicates == 1
        ? tr("1 duplicate skipped")
        : tr("%1 duplicates skipped").arg(result.skippedDuplicates);
    const QString rejections = rejected == 1 ? tr("1 file rejected")
                                             : tr("%1 files rejected").arg(rejected);
    printLine(tr("Task %1 %2: %3 and %4 added, %5, %6.")
                  .arg(task.taskId, taskStatusToApiString(task.status),
                       imageCount(result.addedImages), videoCount(result.addedVideos), duplicates,
                       rejections));
    for (const RejectedItem &item : result.rejected)
        printLine(tr("  rejected %1: %2")
                      .arg(escapedForLine(item.path), escapedForLine(item.reason)));
    if (!task.errorMessage.isEmpty())
        printLine(tr("Task error: %1").arg(task.errorMessage));
}

} // namespace Accrete
