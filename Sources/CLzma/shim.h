#ifndef PORTSCOPE_CLZMA_SHIM_H
#define PORTSCOPE_CLZMA_SHIM_H
#include <lzma.h>
#endif
