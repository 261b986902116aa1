// The C libraries dicom-media loads on first use rather than at start-up (libarchive, libisofs,
// libcrypto, CharLS, cairo, libburn). The stubs (Generated/archive.c, isofs.c, crypto.c, charls.c, cairo.c, burn.c, written by
// Tools/gen-native-stubs.py) define the functions the Swift code calls; only the check below is called
// from Swift directly (before a use whose absence must be an error, not a stop).
#ifndef CNATIVELIBRARIES_H
#define CNATIVELIBRARIES_H

/// 1 if the library (0 libarchive, 1 libisofs, 2 libcrypto, 3 CharLS, 4 cairo, 5 libburn) is loaded or can be, else 0.
int dm_native_library_available(int library);

#endif
