#ifndef PORTSCOPE_CLZ4_SHIM_H
#define PORTSCOPE_CLZ4_SHIM_H
#include <lz4frame.h>
#endif
