#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs/libisofs.h>

/* One read of the image stream: libisofs sets either read (version 0) or read_xt. */
static inline int cisofs_read(struct burn_source *s, unsigned char *buffer, int size) {
    return s->read != NULL ? s->read(s, buffer, size) : s->read_xt(s, buffer, size);
}
/* Stops the writer thread early (after an output error). */
static inline void cisofs_cancel(struct burn_source *s) {
    if (s->version >= 1 && s->cancel != NULL) s->cancel(s);
}
/* Releases the burn_source made by iso_image_create_burn_source. */
static inline void cisofs_free(struct burn_source *s) {
    if (s->free_data != NULL) s->free_data(s);
    free(s);
}
/* sync_file_range(2) with SYNC_FILE_RANGE_WRITE: starts writing back a range of the image already
   written, without waiting, so the final fsync finds little left (glibc declares it only under
   _GNU_SOURCE). */
extern int sync_file_range(int fd, long offset, long nbytes, unsigned int flags);
static inline int cisofs_start_writeback(int fd, long offset, long nbytes) { return sync_file_range(fd, offset, nbytes, 2); }
