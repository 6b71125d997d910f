#include "rar.hpp"

#include "uicommon.cpp"

#ifdef SILENT
#include "uisilent.cpp"
#else




#include "uiconsole.cpp"

#endif
