#ifndef PORTSCOPE_CZLIB_SHIM_H
#define PORTSCOPE_CZLIB_SHIM_H
#include <zlib.h>
#endif
