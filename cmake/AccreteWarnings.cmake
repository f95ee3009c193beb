# Strict build settings shared by every Accrete target.
#
# QT_NO_CONTEXTLESS_CONNECT is honoured by Qt's headers from 6.7 on; with Qt 6.4 it is
# defined so that the same code keeps compiling when the headers start enforcing it.
function(accrete_set_strict_options target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
        -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-align -Wnull-dereference)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(${target} PRIVATE -Wshadow=local)
    else()
        target_compile_options(${target} PRIVATE -Wshadow-uncaptured-local)
    endif()
    if(ACCRETE_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    target_compile_definitions(${target} PRIVATE
        QT_NO_CONTEXTLESS_CONNECT
        QT_NO_KEYWORDS
        QT_NO_CAST_FROM_ASCII
        QT_NO_URL_CAST_FROM_STRING
        QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
        QT_STRICT_ITERATORS
        QT_DISABLE_DEPRECATED_BEFORE=0x060400
        QT_DISABLE_DEPRECATED_UP_TO=0x060400)
endfunction()
