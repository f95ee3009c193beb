#pragma once

#include <optional>

#include <QFuture>
#include <QObject>
#include <QString>
#include <QStringList>

#include "backendfactory.h"
#include "consoleoutput.h"
#include "core/dataset.h"
#include "core/task.h"

class QCommandLineParser;

namespace Accrete {

class DatasetService;
class OperationWatcher;
class ServiceError;
struct AddMediaAccepted;

// Parses accrete-cli's command line and runs one command against a DatasetService.
//
// Every command is asynchronous: run() returns at once, and its future finishes with the
// process exit code (see exitcode.h) after the backend replied and, when the command
// waits, after the operation ended. Rejected requests are printed as
// "error <code>: <detail>" on stderr.
class CommandRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CommandRunner)

public:
    explicit CommandRunner(QObject *parent = nullptr);
    ~CommandRunner() override;

    // Runs the command in `arguments` (the program name first, as in argv).
    QFuture<int> run(const QStringList &arguments);

    // Returns the arguments for runServeCommand() when `arguments` run `serve`, else nullopt.
    // The serve command runs its own event loop, so main() calls it instead of run().
    static std::optional<QStringList> serveArguments(const QStringList &arguments);

private:
    QFuture<int> runDatasets(const QStringList &arguments);
    QFuture<int> runCreate(const QStringList &arguments);
    QFuture<int> runAddMedia(const QStringList &arguments);
    QFuture<int> runReindex(const QStringList &arguments);
    QFuture<int> runStatus(const QStringList &arguments);
    QFuture<int> runTasks(const QStringList &arguments);
    QFuture<int> runMedia(const QStringList &arguments);

    // Adds the backend options (--data-dir, and --backend, --url, --api-key, --no-auth when
    // this build has the remote backends).
    void addBackendOptions(QCommandLineParser &parser);
    // Reads the backend options that are set. Returns the exit code of a usage error.
    std::optional<int> readBackendOptions(const QCommandLineParser &parser);
    // Adds the backend options and --json, which every command accepts.
    void addCommonOptions(QCommandLineParser &parser, const QString &jsonHelp);
    // Parses a command's options. Returns the exit code when the command must stop here
    // (--help, or a usage error that was printed), nullopt when it may run.
    std::optional<int> parseCommand(QCommandLineParser &parser, const QString &command,
                                    const QString &description, const QStringList &arguments,
                                    bool allowsExtraArguments = false);
    std::optional<int> requireValue(const QCommandLineParser &parser, const QString &option);
    std::optional<int> parseInteger(const QCommandLineParser &parser, const QString &option,
                                    int minimum, int maximum, int *value);
    QFuture<int> usageError(const QString &message);

    DatasetService *service();
    OperationWatcher *createWatcher(std::optional<TaskType> taskType);
    bool mustWait(const QCommandLineParser &parser) const;

    // Waits for the operation `watcher` follows and returns the exit code of its end.
    QFuture<int> waitForDataset(OperationWatcher *watcher);
    // Prints the batch result of the MEDIA_ADDITION task after the dataset settled.
    QFuture<int> reportBatch(const DatasetInfo &dataset, const QString &taskId);
    void reportAccepted(const QString &datasetId, const QString &taskId);
    int exitCodeForSettled(const DatasetInfo &dataset);

    QString globalHelpText(const QCommandLineParser &globalParser) const;
    // Names the backend the options select, for messages: its data directory or URL.
    QString connectionName() const;
    // Prints what to do after a 404 for the dataset the command named.
    void printDatasetNotFoundHint(const ServiceError &error);

    ConsoleOutput m_output;
    BackendOptions m_backendOptions;
    DatasetService *m_service = nullptr;
    // Id given with -d, for the message when the backend does not find it.
    QString m_datasetId;
};

} // namespace Accrete
