// The desktop entry point: the embedded backend in a main window.

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QImage>
#include <QListView>
#include <QTimer>

#include "core/logging.h"
#include "core/metatypes.h"
#include "pipeline/embeddedservice.h"
#include "ui/datasetview.h"
#include "ui/mainwindow.h"
#include "ui/mediagridmodel.h"

namespace {

// Saves a picture of `window` to `fileName` once `view` has loaded its dataset, has loaded its
// first page and has no thumbnail request left, then quits with 0 (or 1 if saving failed).
void saveScreenshotWhenLoaded(QWidget *window, Accrete::DatasetView *view, const QString &fileName)
{
    auto *poll = new QTimer(window);
    poll->setInterval(200);
    QObject::connect(poll, &QTimer::timeout, window, [window, view, fileName, poll] {
        Accrete::MediaGridModel *model = view->gridModel();
        const bool loaded = view->hasDataset() && model->rowCount() > 0
            && model->pendingThumbnailCount() == 0;
        if (!loaded)
            return;
        poll->stop();
        const bool saved = window->grab().save(fileName);
        if (!saved)
            qCCritical(lcUi) << "could not write the screenshot to" << fileName;
        QCoreApplication::exit(saved ? 0 : 1);
    });
    poll->start();
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    // No organization name and the CLI's application name, so both default to the same
    // data directory (AppDataLocation: ~/.local/share/accrete on Linux).
    QCoreApplication::setApplicationName(QStringLiteral("accrete"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ACCRETE_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Accrete"));
    QGuiApplication::setDesktopFileName(QStringLiteral("accrete"));
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/accrete/icons/accrete.svg")));
    Accrete::registerCoreMetaTypes();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Curate and grow image and video datasets."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(
        QStringLiteral("data-dir"),
        QCoreApplication::translate("main", "Keep the embedded datasets in DIR (default: %1).")
            .arg(QDir::toNativeSeparators(Accrete::EmbeddedService::defaultDataDir())),
        QCoreApplication::translate("main", "DIR"));
    const QCommandLineOption datasetOption(
        QStringLiteral("dataset"),
        QCoreApplication::translate("main", "Open the dataset with id ID at start."),
        QCoreApplication::translate("main", "ID"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QCoreApplication::translate("main",
                                    "Save a PNG of the window to FILE once the dataset given "
                                    "with --dataset and its thumbnails are loaded, then quit."),
        QCoreApplication::translate("main", "FILE"));
    parser.addOptions({ dataDirOption, datasetOption, screenshotOption });
    parser.process(app);

    if (parser.isSet(screenshotOption) && !parser.isSet(datasetOption)) {
        qCCritical(lcUi) << "--screenshot needs --dataset";
        return 2;
    }

    const QString dataDir = parser.isSet(dataDirOption) ? parser.value(dataDirOption)
                                                        : Accrete::EmbeddedService::defaultDataDir();
    qCInfo(lcUi) << "starting with data directory" << dataDir;
    Accrete::EmbeddedService service(dataDir);
    Accrete::MainWindow window(&service);
    window.show();

    if (parser.isSet(datasetOption)) {
        Accrete::DatasetView *view = window.openDataset(parser.value(datasetOption));
        if (parser.isSet(screenshotOption))
            saveScreenshotWhenLoaded(&window, view, parser.value(screenshotOption));
    }
    return app.exec();
}
