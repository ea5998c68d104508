#ifndef PORTSCOPE_CCRYPTO_SHIM_H
#define PORTSCOPE_CCRYPTO_SHIM_H
// SHA-256 for recognising a capture already analyzed (OpenSSL's is several times faster than a
// portable implementation, which matters on multi-gigabyte captures); SHA-1 for Community ID.
#include <openssl/evp.h>
#include <openssl/sha.h>

// SHA-256 of a short text on the per-packet path (JA4): OpenSSL's digest on a context on the
// stack, where EVP would allocate a context for each hash. The low-level calls are deprecated
// in OpenSSL 3 in favour of EVP, whose allocation is what this avoids.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static inline int portscope_sha256(const void *data, size_t length, unsigned char digest[32]) {
    SHA256_CTX context;
    return SHA256_Init(&context) && SHA256_Update(&context, data, length) && SHA256_Final(digest, &context);
}
#pragma GCC diagnostic pop
#endif
