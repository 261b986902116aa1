// Loading a C library on first use: see loader.c.
#ifndef DM_NATIVE_LOADER_H
#define DM_NATIVE_LOADER_H

enum dm_native_library { DM_LIBARCHIVE, DM_LIBISOFS, DM_LIBCRYPTO, DM_LIBCHARLS, DM_LIBCAIRO, DM_LIBBURN };

/// The address of `name` in `library`, loading the library on the first call; `*slot` caches it.
/// Stops the program (exit 2) with a message naming the library if it or the symbol is missing.
void *dm_native_symbol(enum dm_native_library library, const char *name, void **slot);

#endif
