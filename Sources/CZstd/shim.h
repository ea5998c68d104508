#ifndef PORTSCOPE_CZSTD_SHIM_H
#define PORTSCOPE_CZSTD_SHIM_H
#include <zstd.h>
#endif
