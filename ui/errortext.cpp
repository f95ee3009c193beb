#include "errortext.h"

#include <QCoreApplication>

namespace Accrete {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Accrete::ErrorText", text);
}

QString operationFailure(FailedOperation operation)
{
    switch (operation) {
    case FailedOperation::ListDatasets:
        return tr("Could not load the list of datasets.");
    case FailedOperation::OpenDataset:
        return tr("Could not load the dataset.");
    case FailedOperation::CreateDataset:
        return tr("Could not create the dataset.");
    case FailedOperation::AddMedia:
        return tr("The media was not added.");
    case FailedOperation::Reindex:
        return tr("The reindex was not started.");
    }
    return QString();
}

// The advice for a 400, chosen by the documented `detail` texts.
QString badRequestAdvice(const QString &detail)
{
    if (detail.startsWith(QLatin1String("Exactly one media source")))
        return tr("Add one source per request: files, one archive or one S3 path.");
    if (detail.contains(QLatin1String("embedding_config")))
        return tr("The dataset has never been indexed. Wait until its first index finishes "
                  "(status READY), then add media.");
    if (detail.startsWith(QLatin1String("Invalid S3 URI")))
        return tr("Check that the S3 path has the form s3://bucket/prefix/, exists and "
                  "contains supported images or videos.");
    return tr("Check the request and try again.");
}

QString advice(const ServiceError &error, FailedOperation operation)
{
    switch (error.code()) {
    case 0:
        return tr("The service could not be reached. Check the connection, then try again.");
    case 400:
        return badRequestAdvice(error.detail());
    case 403:
        return tr("Adding media is disabled for this account or dataset. Ask an administrator "
                  "to enable it.");
    case 404:
        return tr("The dataset no longer exists. Refresh the dataset list.");
    case 409:
        if (operation == FailedOperation::AddMedia)
            return tr("Another operation is running on this dataset. The dropped files were not "
                      "added; wait until the dataset is READY or PARTIAL INDEX, then click Retry.");
        if (operation == FailedOperation::Reindex)
            return tr("Reindex is possible only in PARTIAL INDEX. Wait for the running operation "
                      "to finish, then try again.");
        return tr("Wait for the running operation to finish, then try again.");
    default:
        break;
    }
    if (error.code() >= 500)
        return tr("The server failed to process the request. Try again later.");
    return tr("Try again.");
}

} // namespace

QString serviceErrorMessage(const ServiceError &error, FailedOperation operation)
{
    const QString failure = error.code() == 0
        ? tr("Connection failure: %1").arg(error.detail().toHtmlEscaped())
        : tr("Error %1: %2").arg(error.code()).arg(error.detail().toHtmlEscaped());
    return QStringLiteral("<b>%1</b> %2<br>%3")
        .arg(operationFailure(operation).toHtmlEscaped(), failure,
             advice(error, operation).toHtmlEscaped());
}

} // namespace Accrete
