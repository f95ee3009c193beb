#include "logging.h"

Q_LOGGING_CATEGORY(lcCore, "accrete.core", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPipeline, "accrete.pipeline", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCloud, "accrete.cloud", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServer, "accrete.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCli, "accrete.cli", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "accrete.ui", QtInfoMsg)
