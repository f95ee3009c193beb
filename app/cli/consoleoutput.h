#pragma once

#include <QCoreApplication>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QTextStream>

#include "core/dataset.h"
#include "core/mediaitem.h"
#include "core/task.h"

namespace Accrete {

class ServiceError;

// Writes accrete-cli's results to stdout and its diagnostics to stderr.
//
// In JSON mode stdout carries only JSON (objects shaped like the REST API's), so progress
// lines such as status transitions go to stderr instead. In text mode they go to stdout.
class ConsoleOutput final
{
    Q_DECLARE_TR_FUNCTIONS(ConsoleOutput)

public:
    ConsoleOutput();
    Q_DISABLE_COPY_MOVE(ConsoleOutput)

    void setJsonMode(bool json) { m_json = json; }
    bool isJsonMode() const { return m_json; }

    // Writes one line of the result to stdout.
    void printLine(const QString &line);
    // Writes a progress or information line: stdout in text mode, stderr in JSON mode.
    void printProgress(const QString &line);
    // Writes a JSON document on stdout: indented, or on one line for JSON Lines output.
    void printJson(const QJsonValue &value, bool oneLine = false);

    // "error 409: <detail>" on stderr; "error: <detail>" when the backend was not reached.
    void printError(const ServiceError &error);
    void printErrorMessage(const QString &message);
    // Writes a line on stderr without a prefix, such as what to do after an error.
    void printErrorHint(const QString &hint);
    void printWarning(const QString &message);

    // One line per status change: local time (ISO 8601), status, progress.
    void printTransition(const DatasetInfo &dataset);

    void printDataset(const DatasetInfo &dataset);
    void printDatasetTable(const QList<DatasetInfo> &datasets);
    void printTaskTable(const TaskPage &page);
    void printMediaTable(const QList<MediaItem> &items, int total, int offset);
    // Added images and videos, skipped duplicates and every rejected file with its reason.
    void printBatchResult(const TaskInfo &task);

private:
    QTextStream m_out;
    QTextStream m_err;
    bool m_json = false;
};

} // namespace Accrete
