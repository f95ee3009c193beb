#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <type_traits>

#include <QCoreApplication>
#include <QFuture>
#include <QFutureWatcher>
#include <QMetaObject>
#include <QObject>

#include "core/serviceerror.h"

namespace Accrete {

// Runs `call` in the thread of `context` (the DatasetService's thread) and blocks the calling
// thread until the QFuture that `call` returns finishes. Returns the future's value or
// throws its exception (a ServiceError for rejected requests).
//
// Thread affinity: call it from an HTTP worker thread, never from the thread of `context`,
// which it would deadlock. The service's thread never blocks: `call` only starts the request
// and a QFutureWatcher reports the result back.
//
// Throws ServiceError 503 when `stopping` becomes true and 504 after `timeout`.
template <typename T>
T callInServiceThread(QObject *context, std::function<QFuture<T>()> call,
                      const std::atomic_bool &stopping, std::chrono::milliseconds timeout)
{
    auto promise = std::make_shared<std::promise<T>>();
    std::future<T> result = promise->get_future();

    const auto start = [context, call = std::move(call), promise]() {
        QFuture<T> future;
        try {
            future = call();
        } catch (...) {
            promise->set_exception(std::current_exception());
            return;
        }
        auto *watcher = new QFutureWatcher<T>(context);
        QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [watcher, promise]() {
            QFuture<T> finished = watcher->future();
            try {
                finished.waitForFinished(); // rethrows the stored exception
                if (finished.isCanceled()) {
                    throw ServiceError(500, QCoreApplication::translate(
                                                "ApiServer", "The dataset service cancelled the request."));
                }
                if constexpr (std::is_void_v<T>)
                    promise->set_value();
                else
                    promise->set_value(finished.result());
            } catch (...) {
                promise->set_exception(std::current_exception());
            }
            watcher->deleteLater();
        });
        watcher->setFuture(future);
    };
    if (!QMetaObject::invokeMethod(context, start, Qt::QueuedConnection)) {
        throw ServiceError(503, QCoreApplication::translate("ApiServer",
                                                            "The dataset service is not running."));
    }

    // Poll in short steps so that a server shutdown ends the wait promptly.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (result.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (stopping.load()) {
            throw ServiceError(503, QCoreApplication::translate("ApiServer",
                                                                "The server is shutting down."));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw ServiceError(504, QCoreApplication::translate(
                                        "ApiServer",
                                        "The dataset service did not answer within %1 seconds.")
                                        .arg(timeout.count() / 1000));
        }
    }
    return result.get();
}

} // namespace Accrete
