// The C libraries dicom-media loads on first use rather than at start-up (libarchive, libisofs,
// libcrypto, CharLS, cairo). The stubs (Generated/archive.c, isofs.c, crypto.c, charls.c, cairo.c, written by
// Tools/gen-native-stubs.py) define the functions the Swift code calls; nothing here is called
// from Swift directly.
#ifndef CNATIVELIBRARIES_H
#define CNATIVELIBRARIES_H

/// 1 if the library (0 libarchive, 1 libisofs, 2 libcrypto, 3 CharLS, 4 cairo) is loaded or can be, else 0.
int dm_native_library_available(int library);

#endif
