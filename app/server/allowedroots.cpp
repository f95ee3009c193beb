#include "allowedroots.h"

#include <QDir>
#include <QFileInfo>

namespace Accrete {

AllowedRoots::AllowedRoots(const QStringList &roots)
{
    for (const QString &root : roots) {
        const QFileInfo info(root);
        const QString canonical = info.canonicalFilePath();
        if (canonical.isEmpty() || !info.isDir())
            m_invalidRoots.append(root);
        else if (!m_roots.contains(canonical))
            m_roots.append(canonical);
    }
}

AllowedRoots::Result AllowedRoots::check(const QString &path) const
{
    if (path.isEmpty() || !QDir::isAbsolutePath(path))
        return { Verdict::NotAbsolute, QString() };
    if (m_roots.isEmpty())
        return { Verdict::Outside, QString() };

    const QString canonical = QFileInfo(path).canonicalFilePath();
    if (canonical.isEmpty()) {
        // A missing path has no symlinks left to resolve below its existing ancestors, so the
        // lexical check decides whether to call it missing or forbidden.
        return { contains(QDir::cleanPath(path)) ? Verdict::Missing : Verdict::Outside, QString() };
    }
    if (!contains(canonical))
        return { Verdict::Outside, QString() };
    return { Verdict::Allowed, canonical };
}

bool AllowedRoots::contains(const QString &canonicalPath) const
{
    for (const QString &root : m_roots) {
        if (canonicalPath == root)
            return true;
        const QString prefix = root.endsWith(QLatin1Char('/')) ? root : root + QLatin1Char('/');
        if (canonicalPath.startsWith(prefix))
            return true;
    }
    return false;
}

} // namespace Accrete
