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
