// Loads libarchive, libisofs, libcrypto, CharLS, cairo and libburn with dlopen on the first call of one of their
// functions (the stubs in Generated/archive.c, isofs.c, crypto.c, charls.c, cairo.c, burn.c), so that a start that does not
// need them does not map them or bind their symbols.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "include/CNativeLibraries.h"
#include "loader.h"
#include "../CArchive/shim.h"
#include "../CBurn/shim.h"
#include "../CCairo/shim.h"
#include "../CCharLS/shim.h"
#include "../CCrypto/shim.h"

// The shared object names (the SONAMEs the headers' versions ship with; the dynamic loader would
// have looked for the same names).
#if ARCHIVE_VERSION_NUMBER < 3000000 || ARCHIVE_VERSION_NUMBER >= 4000000
#error "libarchive 3 (libarchive.so.13) expected"
#endif
#if OPENSSL_VERSION_MAJOR != 3
#error "OpenSSL 3 (libcrypto.so.3) expected"
#endif
#if CHARLS_VERSION_MAJOR != 2
#error "CharLS 2 (libcharls.so.2) expected"
#endif
#if CAIRO_VERSION_MAJOR != 1
#error "cairo 1 (libcairo.so.2) expected"
#endif
#if burn_header_version_major != 1
#error "libburn 1 (libburn.so.4) expected"
#endif

static const struct {
    const char *soname;
    const char *use;
} libraries[] = {
    [DM_LIBARCHIVE] = {"libarchive.so.13", "reading ISO images and archives, writing ISO images"},
    [DM_LIBISOFS] = {"libisofs.so.6", "writing ISO images"},
    [DM_LIBCRYPTO] = {"libcrypto.so.3", "the store's SHA-256 content hashes"},
    [DM_LIBCHARLS] = {"libcharls.so.2", "JPEG-LS"},
    [DM_LIBCAIRO] = {"libcairo.so.2", "disc labels and case inserts"},
    [DM_LIBBURN] = {"libburn.so.4", "burning discs"},
};

static void *handles[sizeof libraries / sizeof libraries[0]];

static void *handle(enum dm_native_library library) {
    void *h = __atomic_load_n(&handles[library], __ATOMIC_ACQUIRE);
    if (h == NULL) {
        // dlopen is thread-safe and returns the same handle to every caller.
        h = dlopen(libraries[library].soname, RTLD_NOW | RTLD_LOCAL);
        if (h != NULL) __atomic_store_n(&handles[library], h, __ATOMIC_RELEASE);
    }
    return h;
}

static void stop(const char *what, const char *error) {
    // The process cannot go on without the library (as if the dynamic loader had not found it).
    fprintf(stderr, "dicom-media: error: %s: %s\n", what, error != NULL ? error : "unknown error");
    fflush(stderr);
    _exit(2);
}

void *dm_native_symbol(enum dm_native_library library, const char *name, void **slot) {
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (f != NULL) return f;
    void *h = handle(library);
    if (h == NULL) {
        char what[160];
        snprintf(what, sizeof what, "cannot load %s (needed for %s)", libraries[library].soname, libraries[library].use);
        stop(what, dlerror());
    }
    f = dlsym(h, name);
    if (f == NULL) {
        char what[160];
        snprintf(what, sizeof what, "%s has no function %s", libraries[library].soname, name);
        stop(what, dlerror());
    }
    __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    return f;
}

int dm_native_library_available(int library) {
    if (library < 0 || library >= (int)(sizeof libraries / sizeof libraries[0])) return 0;
    return handle((enum dm_native_library)library) != NULL;
}
