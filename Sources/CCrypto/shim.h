// OpenSSL's libcrypto (Debian libssl-dev): SHA-256 of stored files; and syncfs(2), declared here
// because glibc's <unistd.h> declares it only under _GNU_SOURCE.
#include <openssl/evp.h>

extern int syncfs(int fd);

/// syncfs(2): flush every dirty page of the file system holding `fd` (Linux).
static inline int dm_syncfs(int fd) { return syncfs(fd); }
