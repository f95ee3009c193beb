#include "commandrunner.h"

#include <algorithm>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>

#include "core/datasetservice.h"
#include "core/logging.h"
#include "core/requests.h"
#include "core/serviceerror.h"
#include "exitcode.h"
#include "operationwatcher.h"

namespace Accrete {

namespace {

// How often `status --watch` reads the dataset when the backend runs in this process and
// so does not see changes made by another accrete process.
constexpr int inProcessPollMilliseconds = 1000;

QFuture<int> exitWith(int code)
{
    return QtFuture::makeReadyFuture(code);
}

QFuture<int> exitWith(ExitCode code)
{
    return QtFuture::makeReadyFuture(int(code));
}

QString absolutePath(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

} // namespace

CommandRunner::CommandRunner(QObject *parent)
    : QObject(parent)
{
}

CommandRunner::~CommandRunner() = default;

QFuture<int> CommandRunner::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Curates and grows image and video datasets from the command line."));
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    addBackendOptions(parser);
    parser.addOption({ QStringLiteral("verbose"),
                       tr("Print the backend's log messages (starts, stops, task ends) on "
                          "stderr.") });
    parser.addPositionalArgument(QStringLiteral("command"), tr("The command to run."),
                                 tr("<command> [options]"));

    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption)) {
        m_output.printLine(globalHelpText(parser));
        return exitWith(ExitCode::Ok);
    }
    if (parser.isSet(versionOption)) {
        m_output.printLine(QStringLiteral("accrete-cli %1").arg(QCoreApplication::applicationVersion()));
        return exitWith(ExitCode::Ok);
    }
    if (auto stop = readBackendOptions(parser))
        return exitWith(*stop);
    // QT_LOGGING_RULES, when set, overrides these rules.
    if (parser.isSet(QStringLiteral("verbose")))
        QLoggingCategory::setFilterRules(QStringLiteral("accrete.*.info=true"));
    else
        QLoggingCategory::setFilterRules(QStringLiteral("accrete.*.info=false"));

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(tr("missing command"));

    const QString command = positional.constFirst();
    // The command's own parser receives the program name, the command and what follows it.
    const QStringList commandArguments = QStringList{ arguments.value(0) } + positional;

    QFuture<int> result;
    if (command == QLatin1String("datasets"))
        result = runDatasets(commandArguments);
    else if (command == QLatin1String("create"))
        result = runCreate(commandArguments);
    else if (command == QLatin1String("add-media"))
        result = runAddMedia(commandArguments);
    else if (command == QLatin1String("reindex"))
        result = runReindex(commandArguments);
    else if (command == QLatin1String("status"))
        result = runStatus(commandArguments);
    else if (command == QLatin1String("tasks"))
        result = runTasks(commandArguments);
    else if (command == QLatin1String("media"))
        result = runMedia(commandArguments);
    else if (command == QLatin1String("help")) {
        m_output.printLine(globalHelpText(parser));
        return exitWith(ExitCode::Ok);
    } else
        return usageError(tr("unknown command '%1'").arg(command));

    return result
        .onFailed(this,
                  [this](const ServiceError &error) {
                      m_output.printError(error);
                      printDatasetNotFoundHint(error);
                      return int(exitCodeFor(error));
                  })
        .onFailed(this,
                  [this] {
                      qCWarning(lcCli) << "command failed with an unexpected exception";
                      m_output.printErrorMessage(tr("internal failure; run with "
                                                    "QT_LOGGING_RULES=\"accrete.*.debug=true\" "
                                                    "for details"));
                      return int(ExitCode::OtherRejection);
                  })
        .onCanceled(this, [this] {
            m_output.printErrorMessage(tr("the request was cancelled"));
            return int(ExitCode::OtherRejection);
        });
}

std::optional<QStringList> CommandRunner::serveArguments(const QStringList &arguments)
{
    static const QStringList optionsWithValue{ QStringLiteral("--data-dir"), QStringLiteral("--backend"),
                                               QStringLiteral("--url"), QStringLiteral("--api-key") };
    QString dataDir;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (!argument.startsWith(QLatin1Char('-'))) {
            if (argument != QLatin1String("serve"))
                return std::nullopt;
            QStringList serve{ QStringLiteral("accrete-cli serve") };
            serve += arguments.mid(i + 1);
            // `accrete-cli --data-dir DIR serve` serves DIR unless serve's own option is set.
            const bool serveHasDataDir = std::any_of(
                serve.cbegin(), serve.cend(), [](const QString &option) {
                    return option == QLatin1String("--data-dir")
                        || option.startsWith(QLatin1String("--data-dir="));
                });
            if (!dataDir.isEmpty() && !serveHasDataDir)
                serve += { QStringLiteral("--data-dir"), dataDir };
            return serve;
        }
        if (argument.startsWith(QLatin1String("--data-dir=")))
            dataDir = argument.mid(int(qstrlen("--data-dir=")));
        if (optionsWithValue.contains(argument) && i + 1 < arguments.size()) {
            if (argument == QLatin1String("--data-dir"))
                dataDir = arguments.at(i + 1);
            ++i;
        }
    }
    return std::nullopt;
}

QString CommandRunner::globalHelpText(const QCommandLineParser &globalParser) const
{
    QString text = globalParser.helpText();
    text += tr("\nCommands:\n"
               "  datasets    List the datasets.\n"
               "  create      Create a dataset from a folder and index it.\n"
               "  add-media   Add a file, folder, archive or S3 path to a dataset.\n"
               "  reindex     Recompute clusters, duplicate groups and outliers of a dataset.\n"
               "  status      Show a dataset's status; --watch follows it until it settles.\n"
               "  tasks       List tasks, newest first.\n"
               "  media       List a dataset's images and videos.\n");
    if (hasServeCommand())
        text += tr("  serve       Serve the embedded pipeline over the REST API.\n");
    text += tr("\nRun 'accrete-cli <command> --help' for the options of a command.\n"
               "\nWith the embedded backend the operations run inside this process: create,\n"
               "add-media and reindex always wait until the dataset reaches READY, PARTIAL\n"
               "INDEX or ERROR, as --wait does, and interrupting them interrupts the\n"
               "operation (the next start of the backend resumes or ends it).\n\n");
    text += exitCodeHelpText();
    return text;
}

QString CommandRunner::connectionName() const
{
    switch (m_backendOptions.kind) {
    case BackendOptions::Kind::Cloud:
        return tr("Visual Layer Cloud (%1)")
            .arg(m_backendOptions.url.isEmpty() ? QStringLiteral("https://app.visual-layer.com")
                                                : m_backendOptions.url.toString());
    case BackendOptions::Kind::Server:
        return tr("the server at %1")
            .arg(m_backendOptions.url.isEmpty() ? QStringLiteral("http://127.0.0.1:2080")
                                                : m_backendOptions.url.toString());
    case BackendOptions::Kind::Embedded:
        break;
    }
    return tr("the embedded backend in %1")
        .arg(m_backendOptions.dataDir.isEmpty() ? defaultDataDir() : m_backendOptions.dataDir);
}

void CommandRunner::printDatasetNotFoundHint(const ServiceError &error)
{
    if (m_datasetId.isEmpty() || error.code() != 404
        || error.detail() != ServiceError::notFound().detail())
        return;
    m_output.printErrorHint(tr("No dataset with id \"%1\" on %2; list the datasets with: "
                               "accrete-cli datasets")
                                .arg(m_datasetId, connectionName()));
}

void CommandRunner::addBackendOptions(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("data-dir"),
                       tr("Data directory of the embedded backend (default: $ACCRETE_DATA_DIR, "
                          "else %1).")
                           .arg(defaultDataDir()),
                       tr("DIR") });
    if (!hasRemoteBackends())
        return;
    parser.addOption({ QStringLiteral("backend"),
                       tr("Backend to use: embedded (default), cloud (Visual Layer Cloud) or "
                          "server (an on-premises server or accrete-cli serve)."),
                       tr("KIND") });
    parser.addOption({ QStringLiteral("url"),
                       tr("Base URL of the cloud or server backend (default "
                          "https://app.visual-layer.com for cloud, http://127.0.0.1:2080 for "
                          "server)."),
                       tr("URL") });
    parser.addOption({ QStringLiteral("api-key"),
                       tr("API key for the cloud or server backend (default $ACCRETE_API_KEY). "
                          "The secret comes from the system keychain or $ACCRETE_API_SECRET.") ,
                       tr("KEY") });
    parser.addOption({ QStringLiteral("no-auth"),
                       tr("Send no Authorization header (servers started with --no-auth).") });
}

std::optional<int> CommandRunner::readBackendOptions(const QCommandLineParser &parser)
{
    if (parser.isSet(QStringLiteral("data-dir")))
        m_backendOptions.dataDir = parser.value(QStringLiteral("data-dir"));
    if (!hasRemoteBackends())
        return std::nullopt;

    if (parser.isSet(QStringLiteral("backend"))) {
        const QString kind = parser.value(QStringLiteral("backend"));
        if (kind == QLatin1String("embedded"))
            m_backendOptions.kind = BackendOptions::Kind::Embedded;
        else if (kind == QLatin1String("cloud"))
            m_backendOptions.kind = BackendOptions::Kind::Cloud;
        else if (kind == QLatin1String("server"))
            m_backendOptions.kind = BackendOptions::Kind::Server;
        else {
            m_output.printErrorMessage(
                tr("invalid --backend '%1': expected embedded, cloud or server").arg(kind));
            return int(ExitCode::UsageError);
        }
    }
    if (parser.isSet(QStringLiteral("url"))) {
        const QUrl url(parser.value(QStringLiteral("url")), QUrl::StrictMode);
        const bool isHttp = url.scheme() == QLatin1String("http")
            || url.scheme() == QLatin1String("https");
        if (!url.isValid() || !isHttp || url.host().isEmpty()) {
            m_output.printErrorMessage(tr("invalid --url '%1': expected an http:// or https:// URL")
                                           .arg(parser.value(QStringLiteral("url"))));
            return int(ExitCode::UsageError);
        }
        m_backendOptions.url = url;
    }
    if (parser.isSet(QStringLiteral("api-key")))
        m_backendOptions.apiKey = parser.value(QStringLiteral("api-key"));
    if (parser.isSet(QStringLiteral("no-auth")))
        m_backendOptions.noAuth = true;

    const bool remoteOptionSet = !m_backendOptions.url.isEmpty()
        || !m_backendOptions.apiKey.isEmpty() || m_backendOptions.noAuth;
    if (m_backendOptions.kind == BackendOptions::Kind::Embedded && remoteOptionSet) {
        m_output.printErrorMessage(
            tr("--url, --api-key and --no-auth need --backend cloud or --backend server"));
        return int(ExitCode::UsageError);
    }
    return std::nullopt;
}

void CommandRunner::addCommonOptions(QCommandLineParser &parser, const QString &jsonHelp)
{
    addBackendOptions(parser);
    parser.addOption({ QStringLiteral("json"), jsonHelp });
}

std::optional<int> CommandRunner::parseCommand(QCommandLineParser &parser, const QString &command,
                                               const QString &description,
                                               const QStringList &arguments,
                                               bool allowsExtraArguments)
{
    parser.setApplicationDescription(description);
    const QCommandLineOption helpOption = parser.addHelpOption();
    parser.addPositionalArgument(command, description, command);

    if (!parser.parse(arguments)) {
        m_output.printErrorMessage(
            tr("%1 (run 'accrete-cli %2 --help' for its options)").arg(parser.errorText(), command));
        return int(ExitCode::UsageError);
    }
    if (parser.isSet(helpOption)) {
        m_output.printLine(parser.helpText() + QLatin1Char('\n') + exitCodeHelpText());
        return int(ExitCode::Ok);
    }
    const QStringList extra = parser.positionalArguments().mid(1);
    if (!allowsExtraArguments && !extra.isEmpty()) {
        m_output.printErrorMessage(tr("unexpected argument '%1' (run 'accrete-cli %2 --help' "
                                      "for its options)")
                                       .arg(extra.constFirst(), command));
        return int(ExitCode::UsageError);
    }
    if (auto stop = readBackendOptions(parser))
        return stop;
    m_output.setJsonMode(parser.isSet(QStringLiteral("json")));
    return std::nullopt;
}

std::optional<int> CommandRunner::requireValue(const QCommandLineParser &parser,
                                               const QString &option)
{
    if (!parser.value(option).isEmpty())
        return std::nullopt;
    m_output.printErrorMessage(tr("missing option --%1").arg(option));
    return int(ExitCode::UsageError);
}

std::optional<int> CommandRunner::parseInteger(const QCommandLineParser &parser,
                                               const QString &option, int minimum, int maximum,
                                               int *value)
{
    if (!parser.isSet(option))
        return std::nullopt;
    bool ok = false;
    const int parsed = parser.value(option).toInt(&ok);
    if (!ok || parsed < minimum || parsed > maximum) {
        m_output.printErrorMessage(tr("invalid value '%1' for --%2: expected an integer from "
                                      "%3 to %4")
                                       .arg(parser.value(option), option)
                                       .arg(minimum)
                                       .arg(maximum));
        return int(ExitCode::UsageError);
    }
    *value = parsed;
    return std::nullopt;
}

QFuture<int> CommandRunner::usageError(const QString &message)
{
    m_output.printErrorMessage(
        tr("%1 (run 'accrete-cli --help' for the commands and options)").arg(message));
    return exitWith(ExitCode::UsageError);
}

DatasetService *CommandRunner::service()
{
    if (!m_service) {
        m_service = createDatasetService(m_backendOptions, this);
        qCDebug(lcCli) << "using backend" << m_service->connectionName();
    }
    return m_service;
}

OperationWatcher *CommandRunner::createWatcher(std::optional<TaskType> taskType)
{
    auto *watcher = new OperationWatcher(service(), taskType, this);
    connect(watcher, &OperationWatcher::statusChanged, this,
            [this](const DatasetInfo &dataset) { m_output.printTransition(dataset); });
    connect(watcher, &OperationWatcher::refreshFailed, this, [this](const ServiceError &error) {
        m_output.printWarning(tr("could not read the dataset status (%1); trying again")
                                  .arg(error.toString()));
    });
    return watcher;
}

bool CommandRunner::mustWait(const QCommandLineParser &parser) const
{
    return parser.isSet(QStringLiteral("wait")) || backendRunsInProcess(m_backendOptions);
}

int CommandRunner::exitCodeForSettled(const DatasetInfo &dataset)
{
    if (dataset.status != DatasetStatus::Error)
        return int(ExitCode::Ok);
    m_output.printErrorMessage(tr("dataset %1 ended in ERROR: %2")
                                   .arg(dataset.id,
                                        dataset.fatalErrorMsg.isEmpty() ? tr("no error message")
                                                                        : dataset.fatalErrorMsg));
    return int(ExitCode::OperationFailed);
}

QFuture<int> CommandRunner::waitForDataset(OperationWatcher *watcher)
{
    return watcher->finished().then(this, [this, watcher](const DatasetInfo &dataset) {
        watcher->deleteLater();
        if (m_output.isJsonMode())
            m_output.printJson(dataset.toJson());
        else
            m_output.printLine(tr("Dataset %1 is %2.").arg(dataset.id, statusToApiString(dataset.status)));
        return exitCodeForSettled(dataset);
    });
}

void CommandRunner::reportAccepted(const QString &datasetId, const QString &taskId)
{
    if (m_output.isJsonMode()) {
        m_output.printJson(QJsonObject{
            { QStringLiteral("dataset_id"), datasetId },
            { QStringLiteral("task_id"), taskId.isEmpty() ? QJsonValue() : QJsonValue(taskId) },
        });
        return;
    }
    m_output.printLine(tr("Request accepted. Follow dataset %1 with: accrete-cli status -d %1 --watch")
                           .arg(datasetId));
}

// ---------------------------------------------------------------------------------------
// datasets

QFuture<int> CommandRunner::runDatasets(const QStringList &arguments)
{
    QCommandLineParser parser;
    addCommonOptions(parser, tr("Print a JSON array of dataset objects as the API returns them."));
    if (auto stop = parseCommand(parser, QStringLiteral("datasets"), tr("Lists the datasets."),
                                 arguments))
        return exitWith(*stop);

    return service()->listDatasets().then(this, [this](const QList<DatasetInfo> &datasets) {
        if (m_output.isJsonMode()) {
            QJsonArray array;
            for (const DatasetInfo &dataset : datasets)
                array.append(dataset.toJson());
            m_output.printJson(array);
        } else {
            m_output.printDatasetTable(datasets);
        }
        return int(ExitCode::Ok);
    });
}

// ---------------------------------------------------------------------------------------
// create

QFuture<int> CommandRunner::runCreate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption({ { QStringLiteral("n"), QStringLiteral("name") },
                       tr("Display name of the new dataset."), tr("NAME") });
    parser.addOption({ { QStringLiteral("p"), QStringLiteral("path") },
                       tr("Folder whose images and videos (searched recursively) become the "
                          "dataset's first media."),
                       tr("PATH") });
    parser.addOption({ QStringLiteral("wait"),
                       tr("Wait until the dataset is READY or ERROR, printing each status "
                          "change.") });
    addCommonOptions(parser, tr("Print the dataset as a JSON object shaped like the API's; "
                                "status changes go to stderr."));
    if (auto stop = parseCommand(parser, QStringLiteral("create"),
                                 tr("Creates a dataset from a folder and indexes it."), arguments))
        return exitWith(*stop);
    if (auto stop = requireValue(parser, QStringLiteral("name")))
        return exitWith(*stop);
    if (auto stop = requireValue(parser, QStringLiteral("path")))
        return exitWith(*stop);

    const QString path = parser.value(QStringLiteral("path"));
    CreateDatasetRequest request;
    request.name = parser.value(QStringLiteral("name"));
    if (path.startsWith(QLatin1String("s3://"))) {
        request.path = path;
    } else {
        if (!QFileInfo::exists(path)) {
            m_output.printErrorMessage(tr("folder not found: %1").arg(path));
            return exitWith(ExitCode::UsageError);
        }
        request.path = absolutePath(path);
    }

    const bool wait = mustWait(parser);
    OperationWatcher *watcher = createWatcher(TaskType::DatasetCreation);
    return service()
        ->createDataset(request)
        .then(this,
              [this, wait, watcher](const DatasetInfo &created) -> QFuture<int> {
                  qCInfo(lcCli) << "created dataset" << created.id;
                  if (!wait) {
                      if (m_output.isJsonMode())
                          m_output.printJson(created.toJson());
                      else
                          reportAccepted(created.id, {});
                      return exitWith(ExitCode::Ok);
                  }
                  m_output.printProgress(
                      tr("Created dataset %1 (%2).").arg(created.displayName, created.id));
                  watcher->accept(created);
                  return waitForDataset(watcher);
              })
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// add-media

QFuture<int> CommandRunner::runAddMedia(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption({ { QStringLiteral("d"), QStringLiteral("dataset") },
                       tr("Id of the dataset to add to."), tr("ID") });
    parser.addOption({ { QStringLiteral("p"), QStringLiteral("path") },
                       tr("A file, a folder (searched recursively) or an archive (.zip, .tar, "
                          ".tar.gz, .tgz, .tar.bz2, .tar.xz, .7z, recognised by extension)."),
                       tr("PATH") });
    parser.addOption({ QStringLiteral("files"),
                       tr("Files to add as one batch: repeat the option or list the files "
                          "after it (sets files[])."),
                       tr("FILE") });
    parser.addOption({ QStringLiteral("archive"),
                       tr("Archive whose members to add as one batch (sets archive)."),
                       tr("FILE") });
    parser.addOption({ QStringLiteral("s3"),
                       tr("S3 folder or manifest (.txt, .csv, .parquet) to add (sets s3_uri)."),
                       tr("URI") });
    parser.addOption({ QStringLiteral("assume-role"),
                       tr("AWS IAM role ARN for reading the S3 source (sets assume_role)."),
                       tr("ARN") });
    parser.addOption({ { QStringLiteral("a"), QStringLiteral("auto-reindex") },
                       tr("Reindex the whole dataset after the batch, ending at READY instead "
                          "of PARTIAL INDEX (sets auto_reindex).") });
    parser.addOption({ QStringLiteral("wait"),
                       tr("Wait until the dataset is READY, PARTIAL INDEX or ERROR, printing "
                          "each status change and then the batch result.") });
    addCommonOptions(parser, tr("Print {\"dataset\": <dataset>, \"task\": <task>} with objects "
                                "shaped like the API's; status changes go to stderr."));
    if (auto stop = parseCommand(parser, QStringLiteral("add-media"),
                                 tr("Adds one batch of media to a dataset: exactly one of "
                                    "--path, --files, --archive or --s3."),
                                 arguments, true))
        return exitWith(*stop);
    if (auto stop = requireValue(parser, QStringLiteral("dataset")))
        return exitWith(*stop);

    const QStringList extraFiles = parser.positionalArguments().mid(1);
    const bool hasFiles = parser.isSet(QStringLiteral("files"));
    if (!extraFiles.isEmpty() && !hasFiles)
        return usageError(tr("unexpected argument '%1'; list files after --files")
                              .arg(extraFiles.constFirst()));

    // Every source given on the command line goes into the request, so that two sources
    // get the API's 400 rejection rather than one being dropped silently.
    AddMediaRequest request;
    QStringList localPaths;
    int sourceCount = 0;
    if (parser.isSet(QStringLiteral("path"))) {
        ++sourceCount;
        const QString path = parser.value(QStringLiteral("path"));
        localPaths.append(path);
        request = AddMediaRequest::fromLocalPath(absolutePath(path));
    }
    if (hasFiles) {
        ++sourceCount;
        const QStringList files = parser.values(QStringLiteral("files")) + extraFiles;
        localPaths += files;
        for (const QString &file : files)
            request.files.append(absolutePath(file));
    }
    if (parser.isSet(QStringLiteral("archive"))) {
        ++sourceCount;
        const QString archive = parser.value(QStringLiteral("archive"));
        localPaths.append(archive);
        request.archive = absolutePath(archive);
    }
    if (parser.isSet(QStringLiteral("s3"))) {
        ++sourceCount;
        request.s3Uri = parser.value(QStringLiteral("s3"));
    }
    request.autoReindex = parser.isSet(QStringLiteral("auto-reindex"));
    request.assumeRole = parser.value(QStringLiteral("assume-role"));

    if (sourceCount != 1) {
        m_output.printError(ServiceError::exactlyOneSource());
        return exitWith(ExitCode::BadRequest);
    }
    if (const auto rejection = request.validate()) {
        m_output.printError(*rejection);
        return exitWith(exitCodeFor(*rejection));
    }
    for (const QString &path : std::as_const(localPaths)) {
        if (!QFileInfo::exists(path)) {
            m_output.printErrorMessage(tr("file or folder not found: %1").arg(path));
            return exitWith(ExitCode::UsageError);
        }
    }

    const QString datasetId = parser.value(QStringLiteral("dataset"));
    m_datasetId = datasetId;
    const bool wait = mustWait(parser);
    OperationWatcher *watcher = createWatcher(TaskType::MediaAddition);
    return service()
        ->dataset(datasetId)
        .then(this,
              [this, watcher, datasetId, request](const DatasetInfo &before) {
                  watcher->setBaseline(before);
                  return service()->addMedia(datasetId, request);
              })
        .unwrap()
        .then(this,
              [this, watcher, datasetId, wait](const AddMediaAccepted &accepted) -> QFuture<int> {
                  qCInfo(lcCli) << "add_media accepted for dataset" << datasetId << "task"
                                << accepted.taskId;
                  if (!wait) {
                      reportAccepted(datasetId, accepted.taskId);
                      return exitWith(ExitCode::Ok);
                  }
                  DatasetInfo dataset;
                  dataset.id = datasetId;
                  watcher->accept(dataset, accepted.taskId);
                  return watcher->finished()
                      .then(this,
                            [this, watcher, taskId = accepted.taskId](const DatasetInfo &settled) {
                                watcher->deleteLater();
                                return reportBatch(settled, taskId);
                            })
                      .unwrap();
              })
        .unwrap();
}

QFuture<int> CommandRunner::reportBatch(const DatasetInfo &dataset, const QString &taskId)
{
    QFuture<TaskInfo> taskFuture;
    if (!taskId.isEmpty()) {
        taskFuture = service()->task(taskId);
    } else {
        // Remote backends reply 202 without a task id, so take the newest MEDIA_ADDITION task.
        TaskQuery query;
        query.datasetId = dataset.id;
        query.type = TaskType::MediaAddition;
        query.pageSize = 5;
        taskFuture = service()->tasks(query).then(this, [datasetId = dataset.id](const TaskPage &page) {
            if (page.tasks.isEmpty())
                throw ServiceError(404, tr("No MEDIA_ADDITION task found for dataset %1").arg(datasetId));
            return page.tasks.constFirst();
        });
    }

    return taskFuture
        .then(this,
              [this, dataset](const TaskInfo &task) {
                  if (m_output.isJsonMode()) {
                      m_output.printJson(QJsonObject{ { QStringLiteral("dataset"), dataset.toJson() },
                                                      { QStringLiteral("task"), task.toJson() } });
                  } else {
                      m_output.printBatchResult(task);
                      m_output.printLine(tr("Dataset %1 is %2.")
                                             .arg(dataset.id, statusToApiString(dataset.status)));
                  }
                  const int code = exitCodeForSettled(dataset);
                  if (code == int(ExitCode::Ok) && task.status == TaskStatus::Failed) {
                      m_output.printErrorMessage(
                          tr("task %1 FAILED: %2")
                              .arg(task.taskId, task.errorMessage.isEmpty() ? tr("nothing was added")
                                                                            : task.errorMessage));
                      return int(ExitCode::OperationFailed);
                  }
                  return code;
              })
        .onFailed(this, [this, dataset](const ServiceError &error) {
            m_output.printWarning(tr("the batch result is not available: %1").arg(error.toString()));
            if (m_output.isJsonMode())
                m_output.printJson(QJsonObject{ { QStringLiteral("dataset"), dataset.toJson() },
                                                { QStringLiteral("task"), QJsonValue() } });
            else
                m_output.printLine(
                    tr("Dataset %1 is %2.").arg(dataset.id, statusToApiString(dataset.status)));
            return exitCodeForSettled(dataset);
        });
}

// ---------------------------------------------------------------------------------------
// reindex

QFuture<int> CommandRunner::runReindex(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption({ { QStringLiteral("d"), QStringLiteral("dataset") },
                       tr("Id of the dataset to reindex (it must be in PARTIAL INDEX)."),
                       tr("ID") });
    parser.addOption({ QStringLiteral("wait"),
                       tr("Wait until the dataset is READY or ERROR, printing each status "
                          "change.") });
    addCommonOptions(parser, tr("Print the dataset as a JSON object shaped like the API's; "
                                "status changes go to stderr."));
    if (auto stop = parseCommand(parser, QStringLiteral("reindex"),
                                 tr("Recomputes the clusters, duplicate groups and outliers of "
                                    "a dataset over all its media."),
                                 arguments))
        return exitWith(*stop);
    if (auto stop = requireValue(parser, QStringLiteral("dataset")))
        return exitWith(*stop);

    const QString datasetId = parser.value(QStringLiteral("dataset"));
    m_datasetId = datasetId;
    const bool wait = mustWait(parser);
    OperationWatcher *watcher = createWatcher(TaskType::Reindex);
    return service()
        ->dataset(datasetId)
        .then(this,
              [this, watcher, datasetId](const DatasetInfo &before) {
                  watcher->setBaseline(before);
                  return service()->reindex(datasetId);
              })
        .unwrap()
        .then(this,
              [this, watcher, datasetId, wait]() -> QFuture<int> {
                  qCInfo(lcCli) << "reindex accepted for dataset" << datasetId;
                  if (!wait) {
                      reportAccepted(datasetId, {});
                      return exitWith(ExitCode::Ok);
                  }
                  DatasetInfo dataset;
                  dataset.id = datasetId;
                  watcher->accept(dataset);
                  return waitForDataset(watcher);
              })
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// status

QFuture<int> CommandRunner::runStatus(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption({ { QStringLiteral("d"), QStringLiteral("dataset") },
                       tr("Id of the dataset to show."), tr("ID") });
    parser.addOption({ QStringLiteral("watch"),
                       tr("Print each status change until the dataset is READY, PARTIAL "
                          "INDEX or ERROR; exit at once if it already is.") });
    addCommonOptions(parser, tr("Print the dataset as a JSON object shaped like the API's; "
                                "with --watch, one object per line for each change."));
    if (auto stop = parseCommand(parser, QStringLiteral("status"),
                                 tr("Shows a dataset's status, progress and counts."), arguments))
        return exitWith(*stop);
    if (auto stop = requireValue(parser, QStringLiteral("dataset")))
        return exitWith(*stop);

    const QString datasetId = parser.value(QStringLiteral("dataset"));
    m_datasetId = datasetId;
    const bool watch = parser.isSet(QStringLiteral("watch"));
    return service()
        ->dataset(datasetId)
        .then(this,
              [this, watch](const DatasetInfo &dataset) -> QFuture<int> {
                  if (!watch) {
                      if (m_output.isJsonMode())
                          m_output.printJson(dataset.toJson());
                      else
                          m_output.printDataset(dataset);
                      return exitWith(ExitCode::Ok);
                  }

                  auto *watcher = new OperationWatcher(service(), std::nullopt, this);
                  connect(watcher, &OperationWatcher::statusChanged, this,
                          [this](const DatasetInfo &changed) {
                              if (m_output.isJsonMode())
                                  m_output.printJson(changed.toJson(), true);
                              else
                                  m_output.printTransition(changed);
                          });
                  if (isSettledStatus(dataset.status)) {
                      Q_EMIT watcher->statusChanged(dataset);
                      watcher->deleteLater();
                      return exitWith(exitCodeForSettled(dataset));
                  }
                  if (backendRunsInProcess(m_backendOptions))
                      watcher->setPollInterval(inProcessPollMilliseconds);
                  watcher->setBaseline(dataset);
                  watcher->accept(dataset);
                  return watcher->finished().then(this, [this, watcher](const DatasetInfo &settled) {
                      watcher->deleteLater();
                      return exitCodeForSettled(settled);
                  });
              })
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// tasks

QFuture<int> CommandRunner::runTasks(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption({ { QStringLiteral("d"), QStringLiteral("dataset") },
                       tr("Only tasks of this dataset id."), tr("ID") });
    parser.addOption({ QStringLiteral("type"),
                       tr("Only tasks of this type: DATASET_CREATION, MEDIA_ADDITION, REINDEX, "
                          "ENRICHMENT, CUSTOM_METADATA, SNAPSHOT_RESTORE, SNAPSHOT_CLONE."),
                       tr("TYPE") });
    parser.addOption({ QStringLiteral("status"),
                       tr("Only tasks with this status: INITIALIZING, RUNNING, COMPLETED, FAILED, "
                          "ABORTED."),
                       tr("STATUS") });
    parser.addOption({ QStringLiteral("page"), tr("Page to print, from 1 (default 1)."), tr("N") });
    parser.addOption({ QStringLiteral("page-size"),
                       tr("Tasks per page, 5 to 50 (default 20)."), tr("N") });
    addCommonOptions(parser, tr("Print the page as a JSON object shaped like the task manager "
                                "API's."));
    if (auto stop = parseCommand(parser, QStringLiteral("tasks"),
                                 tr("Lists tasks, newest first."), arguments))
        return exitWith(*stop);

    TaskQuery query;
    query.datasetId = parser.value(QStringLiteral("dataset"));
    m_datasetId = query.datasetId;
    if (parser.isSet(QStringLiteral("type"))) {
        query.type = parseTaskType(parser.value(QStringLiteral("type")));
        if (!query.type)
            return usageError(tr("invalid task type '%1'").arg(parser.value(QStringLiteral("type"))));
    }
    if (parser.isSet(QStringLiteral("status"))) {
        query.status = parseTaskStatus(parser.value(QStringLiteral("status")));
        if (!query.status)
            return usageError(
                tr("invalid task status '%1'").arg(parser.value(QStringLiteral("status"))));
    }
    if (auto stop = parseInteger(parser, QStringLiteral("page"), 1, 1000000, &query.page))
        return exitWith(*stop);
    if (auto stop = parseInteger(parser, QStringLiteral("page-size"), 5, 50, &query.pageSize))
        return exitWith(*stop);

    // The task list of an unknown dataset is empty, so look the dataset up first: a mistyped
    // id then fails with 404 instead of printing "No tasks.".
    QFuture<void> datasetChecked = QtFuture::makeReadyFuture();
    if (!query.datasetId.isEmpty())
        datasetChecked = service()->dataset(query.datasetId).then(this, [](const DatasetInfo &) {});
    return datasetChecked
        .then(this, [this, query] { return service()->tasks(query); })
        .unwrap()
        .then(this, [this](const TaskPage &page) {
            if (m_output.isJsonMode())
                m_output.printJson(page.toJson());
            else
                m_output.printTaskTable(page);
            return int(ExitCode::Ok);
        });
}

// ---------------------------------------------------------------------------------------
// media

QFuture<int> CommandRunner::runMedia(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption({ { QStringLiteral("d"), QStringLiteral("dataset") },
                       tr("Id of the dataset whose media to list."), tr("ID") });
    parser.addOption({ QStringLiteral("offset"),
                       tr("Number of items to skip (default 0)."), tr("N") });
    parser.addOption({ QStringLiteral("limit"),
                       tr("Maximum number of items to print, 1 to 10000 (default 100)."),
                       tr("N") });
    parser.addOption({ QStringLiteral("sort"),
                       tr("Order: added (default), cluster, duplicates or outliers (most "
                          "unusual first)."),
                       tr("ORDER") });
    addCommonOptions(parser, tr("Print {\"items\": [...], \"total\": N, \"offset\": N} with "
                                "media objects shaped like the API's."));
    if (auto stop = parseCommand(parser, QStringLiteral("media"),
                                 tr("Lists a dataset's images and videos."), arguments))
        return exitWith(*stop);
    if (auto stop = requireValue(parser, QStringLiteral("dataset")))
        return exitWith(*stop);

    MediaQuery query;
    query.datasetId = parser.value(QStringLiteral("dataset"));
    m_datasetId = query.datasetId;
    query.limit = 100;
    if (auto stop = parseInteger(parser, QStringLiteral("offset"), 0, INT_MAX, &query.offset))
        return exitWith(*stop);
    if (auto stop = parseInteger(parser, QStringLiteral("limit"), 1, 10000, &query.limit))
        return exitWith(*stop);
    const QString sort = parser.value(QStringLiteral("sort"));
    if (sort.isEmpty() || sort == QLatin1String("added"))
        query.sort = MediaSort::Added;
    else if (sort == QLatin1String("cluster"))
        query.sort = MediaSort::Cluster;
    else if (sort == QLatin1String("duplicates"))
        query.sort = MediaSort::DuplicateGroup;
    else if (sort == QLatin1String("outliers"))
        query.sort = MediaSort::OutlierScore;
    else
        return usageError(tr("invalid --sort '%1': expected added, cluster, duplicates or "
                             "outliers")
                              .arg(sort));

    return service()->media(query).then(this, [this](const MediaPage &page) {
        if (m_output.isJsonMode()) {
            QJsonArray items;
            for (const MediaItem &item : page.items)
                items.append(item.toJson());
            m_output.printJson(QJsonObject{ { QStringLiteral("items"), items },
                                            { QStringLiteral("total"), page.total },
                                            { QStringLiteral("offset"), page.offset } });
        } else {
            m_output.printMediaTable(page.items, page.total, page.offset);
        }
        return int(ExitCode::Ok);
    });
}

} // namespace Accrete
