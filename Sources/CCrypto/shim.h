#ifndef PORTSCOPE_CCRYPTO_SHIM_H
#define PORTSCOPE_CCRYPTO_SHIM_H
// Only SHA-256, for recognising a capture already analyzed. OpenSSL's is several times
// faster than a portable implementation, which matters on multi-gigabyte captures.
#include <openssl/evp.h>
#endif
