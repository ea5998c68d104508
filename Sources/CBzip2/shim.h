#ifndef PORTSCOPE_CBZIP2_SHIM_H
#define PORTSCOPE_CBZIP2_SHIM_H
#include <bzlib.h>
#endif
