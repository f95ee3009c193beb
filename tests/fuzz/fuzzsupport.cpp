#include "fuzzsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

namespace Accrete::Fuzz {

void ensureApplication()
{
    if (QCoreApplication::instance())
        return;
    static int argc = 1;
    static char name[] = "accrete-fuzz";
    static char *argv[] = { name, nullptr };
    static QCoreApplication application(argc, argv);
}

QString writeScratchFile(const uint8_t *data, size_t size)
{
    static const QString path = QDir::temp().filePath(
        QStringLiteral("accrete-fuzz-%1.input").arg(QCoreApplication::applicationPid()));
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(reinterpret_cast<const char *>(data), qint64(size));
    return path;
}

} // namespace Accrete::Fuzz
