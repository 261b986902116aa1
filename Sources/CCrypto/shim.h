// OpenSSL's libcrypto (Debian libssl-dev): SHA-256 of stored files; and syncfs(2) and
// sync_file_range(2), declared here because glibc declares them only under _GNU_SOURCE.
#include <openssl/evp.h>

extern int syncfs(int fd);
extern int sync_file_range(int fd, long offset, long nbytes, unsigned int flags);

/// syncfs(2): flush every dirty page of the file system holding `fd` (Linux).
static inline int dm_syncfs(int fd) { return syncfs(fd); }

/// sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE): start writing the file's dirty pages back now,
/// without waiting, so the batch's syncfs finds little left to do (Linux).
static inline int dm_start_writeback(int fd) { return sync_file_range(fd, 0, 0, 2); }
