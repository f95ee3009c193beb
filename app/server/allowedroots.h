#pragma once

#include <QString>
#include <QStringList>

namespace Accrete {

// The folders that the on-premises `path` parameters may point into. A path is accepted
// when it is absolute and, after symlinks and `..` are resolved, equals a root or lies
// below one. Thread-safe after construction.
class AllowedRoots
{
public:
    enum class Verdict {
        Allowed,
        NotAbsolute,
        Outside,     // exists but resolves outside every root, or no roots are configured
        Missing,     // lies inside a root lexically but does not exist
    };

    struct Result
    {
        Verdict verdict = Verdict::Outside;
        QString canonicalPath; // set when the verdict is Allowed
    };

    AllowedRoots() = default;
    // `roots` must be existing folders; non-existing ones are dropped (see invalidRoots()).
    explicit AllowedRoots(const QStringList &roots);

    bool isEmpty() const { return m_roots.isEmpty(); }
    const QStringList &roots() const { return m_roots; }
    const QStringList &invalidRoots() const { return m_invalidRoots; }

    Result check(const QString &path) const;

private:
    bool contains(const QString &canonicalPath) const;

    QStringList m_roots; // canonical paths
    QStringList m_invalidRoots;
};

} // namespace Accrete
