/*
 * usb-emulator: show one emulated USB device to libusb programs through umockdev, and forward every control
 * transfer on it to a device model process over a framed protocol on the model's stdin/stdout.
 *
 *   usb-emulator [-v] [--stats FILE] --model 'SHELL COMMAND' [--model 'SHELL COMMAND'...] -- COMMAND [ARGS...]
 *
 * Each --model is one device, plugged into the next port of bus 1 (1-1, 1-2, ...), with its own model process.
 * The program re-executes itself under libumockdev-preload.so (umockdev only sends hotplug uevents from a process
 * that sees the mocked /sys), builds a testbed, asks the model for the device and configuration descriptors with
 * ordinary GET_DESCRIPTOR transfers, publishes the device at port 1-1, runs COMMAND with the testbed visible, and
 * exits with COMMAND's exit status.
 *
 * Frames (little-endian), one request at a time:
 *   request : u8 kind, u8 setup[8], u16 out_len, out_len bytes
 *             kind 'C' control transfer, 'R' USB bus reset
 *   response: i32 status, u8 flags, u16 in_len, in_len bytes
 *             status 0 ACK, -32 STALL (EPIPE), -110 no answer (the host's timeout expires), other -errno
 *             flags bit 0: the device disconnects now and re-enumerates (detach, reset into DFU mode, DfuSe leave)
 * After a re-enumeration the emulator reads the new descriptors at once; the model answers them when its device is
 * back on the bus (it may take its re-enumeration time), so no extra event is needed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>

#include <glib.h>
#include <glib-unix.h>
#include <umockdev.h>

#define FLAG_REENUMERATE 0x01
#define STATUS_NO_ANSWER (-ETIMEDOUT)
#define PRELOAD_LIB "libumockdev-preload.so"

#define MAX_DEVICES 8

typedef struct {
    int port;                    /* 1-PORT on bus 1 */
    int model_fd;
    pid_t model_pid;
    GMutex lock;                 /* one model call at a time */
    UMockdevIoctlBase *handler;
    char *devnode;
    char *syspath;
    int devnum;
    volatile gint generation;    /* counts publications: a file opened before a re-enumeration stays dead */
    GByteArray *descriptors;     /* what read() on the node returns (under lock): device, then configuration */
    volatile int gone;           /* unplugged: further ioctls fail with ENODEV */
} device_t;

static struct {
    int verbose;
    UMockdevTestbed *testbed;
    GMainLoop *loop;
    int command_status;
    int next_devnum;             /* device numbers are unique on the bus, as the kernel hands them out */
    int device_count;
    device_t devices[MAX_DEVICES];
    unsigned long transfers, resets, reenumerations;
} emu;

#define VLOG(...) do { if (emu.verbose) fprintf(stderr, "usb-emulator: " __VA_ARGS__); } while (0)

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static int io_all(int fd, void *buffer, size_t length, int writing)
{
    uint8_t *p = buffer;
    while (length > 0) {
        ssize_t n = writing ? write(fd, p, length) : read(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

/* One round trip to the model. in_capacity bounds what is kept; the rest of a longer answer is read and dropped. */
static int model_call(device_t *dev, char kind, const uint8_t setup[8], const uint8_t *out, uint16_t out_len,
                      uint8_t *in, uint16_t in_capacity, uint16_t *in_len, uint8_t *flags)
{
    uint8_t header[11] = { (uint8_t)kind };
    uint8_t reply[7];
    int status;

    *in_len = 0;
    *flags = 0;
    if (setup)
        memcpy(header + 1, setup, 8);
    put16(header + 9, out_len);

    g_mutex_lock(&dev->lock);
    if (dev->model_fd < 0 || io_all(dev->model_fd, header, sizeof header, 1) < 0
        || (out_len > 0 && io_all(dev->model_fd, (void *)out, out_len, 1) < 0)
        || io_all(dev->model_fd, reply, sizeof reply, 0) < 0) {
        g_mutex_unlock(&dev->lock);
        fprintf(stderr, "usb-emulator: the device model stopped answering\n");
        return -ENODEV;
    }
    status = (int32_t)((uint32_t)reply[0] | (uint32_t)reply[1] << 8 | (uint32_t)reply[2] << 16 | (uint32_t)reply[3] << 24);
    *flags = reply[4];
    uint16_t length = get16(reply + 5);
    uint16_t keep = length < in_capacity ? length : in_capacity;
    int failed = keep > 0 && io_all(dev->model_fd, in, keep, 0) < 0;
    for (uint16_t rest = (uint16_t)(length - keep); !failed && rest > 0;) {
        uint8_t sink[256];
        uint16_t chunk = rest < sizeof sink ? rest : sizeof sink;
        failed = io_all(dev->model_fd, sink, chunk, 0) < 0;
        rest = (uint16_t)(rest - chunk);
    }
    g_mutex_unlock(&dev->lock);
    if (failed)
        return -ENODEV;
    *in_len = keep;
    return status;
}

static gboolean reenumerate(gpointer unused);

static void after_model_call(device_t *dev, uint8_t flags)
{
    if ((flags & FLAG_REENUMERATE) && !dev->gone) {
        dev->gone = 1;
        VLOG("device at 1-%d disconnects to re-enumerate\n", dev->port);
        g_idle_add(reenumerate, dev);    /* testbed changes belong to the main loop */
    }
}

static int control(device_t *dev, const uint8_t setup[8], const uint8_t *out, uint16_t out_len, uint8_t *in, uint16_t in_capacity, uint16_t *in_len)
{
    uint8_t flags;
    int status = model_call(dev, 'C', setup, out, out_len, in, in_capacity, in_len, &flags);
    emu.transfers++;
    VLOG("1-%d %02x %02x %04x %04x %04x out %u -> %d in %u%s\n", dev->port, setup[0], setup[1], get16(setup + 2), get16(setup + 4),
         get16(setup + 6), out_len, status, *in_len, (flags & FLAG_REENUMERATE) ? " [re-enumerate]" : "");
    after_model_call(dev, flags);
    return status;
}

/* A file opened on the node belongs to one publication of the device. After a re-enumeration the kernel never
 * revives it: every call on it fails with ENODEV (linux drivers/usb/core/devio.c, connected() in each usbdev_*). */
static void client_connected(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user_data)
{
    (void)base;
    device_t *dev = user_data;
    g_object_set_data(G_OBJECT(client), "generation", GINT_TO_POINTER(g_atomic_int_get(&dev->generation)));
}

static int client_gone(device_t *dev, UMockdevIoctlClient *client)
{
    gpointer generation = g_object_get_data(G_OBJECT(client), "generation");
    return dev->gone || (generation && GPOINTER_TO_INT(generation) != g_atomic_int_get(&dev->generation));
}

/* ---- the active configuration, as the kernel checks requests against it -------------------------------------- */

/* Returns byte `field` of the first descriptor of `type` whose byte 2 is `key`, or -1 (under the device's lock:
 * a re-enumeration replaces the descriptors from the main thread). */
static int descriptor_field(device_t *dev, uint8_t type, unsigned int key, guint field)
{
    int found = -1;
    g_mutex_lock(&dev->lock);
    const uint8_t *d = dev->descriptors->data;
    for (guint i = 18; i + field < dev->descriptors->len && d[i] >= 2; i += d[i]) {
        if (d[i + 1] == type && d[i + 2] == key) {
            found = d[i + field];
            break;
        }
    }
    g_mutex_unlock(&dev->lock);
    return found;
}

static int endpoint_attributes(device_t *dev, unsigned int address)
{
    return descriptor_field(dev, 0x05 /* ENDPOINT */, address, 3 /* bmAttributes */);
}

static int has_interface(device_t *dev, unsigned int number)
{
    return descriptor_field(dev, 0x04 /* INTERFACE */, number, 2 /* bInterfaceNumber */) >= 0;
}

/* The kernel's findintfep (linux drivers/usb/core/devio.c): a malformed address is EINVAL, an unknown one ENOENT. */
static int check_endpoint(device_t *dev, unsigned int address)
{
    if (address & ~(0x80u | 0x0Fu))
        return EINVAL;
    return endpoint_attributes(dev, address) < 0 ? ENOENT : 0;
}

/* ---- per-open-file URB bookkeeping ---------------------------------------------------------------------------- */

typedef struct {
    GQueue done;       /* completed URBs (UMockdevIoctlData*) waiting to be reaped */
    GQueue pending;    /* URBs the model left unanswered; completed by DISCARDURB */
} urb_queues;

static void free_queues(gpointer data)
{
    urb_queues *q = data;
    g_queue_clear_full(&q->done, g_object_unref);
    g_queue_clear_full(&q->pending, g_object_unref);
    g_free(q);
}

static urb_queues *queues_of(UMockdevIoctlClient *client)
{
    urb_queues *q = g_object_get_data(G_OBJECT(client), "urbs");
    if (!q) {
        q = g_new0(urb_queues, 1);
        g_queue_init(&q->done);
        g_queue_init(&q->pending);
        g_object_set_data_full(G_OBJECT(client), "urbs", q, free_queues);
    }
    return q;
}

static void finish(UMockdevIoctlClient *client, int result, int error)
{
    umockdev_ioctl_client_complete(client, result, error);
}

static void submit_urb(device_t *dev, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    GError *error = NULL;
    UMockdevIoctlData *urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &error);
    if (!urb_data) {
        fprintf(stderr, "usb-emulator: cannot read URB: %s\n", error->message);
        g_clear_error(&error);
        finish(client, -1, EFAULT);
        return;
    }
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
    if (urb->type != USBDEVFS_URB_TYPE_CONTROL) {
        /* linux drivers/usb/core/devio.c, proc_do_submiturb: an endpoint the configuration lacks is ENOENT, an
         * isochronous URB on a non-isochronous endpoint (or the reverse) EINVAL. An existing bulk or interrupt
         * endpoint is queued: nothing in the model produces data for it, so the device NAKs and the URB stays
         * pending until the client discards it, as with a real device that has nothing to send. */
        int attributes = endpoint_attributes(dev, urb->endpoint);
        if (attributes < 0) {
            finish(client, -1, ENOENT);
        } else if (((attributes & 0x03) == 0x01) != (urb->type == USBDEVFS_URB_TYPE_ISO)) {
            finish(client, -1, EINVAL);
        } else {
            g_queue_push_tail(&queues_of(client)->pending, g_object_ref(urb_data));
            finish(client, 0, 0);
        }
        return;
    }
    if (urb->buffer_length < 8) {
        finish(client, -1, EINVAL);     /* proc_do_submiturb: a control URB carries at least its setup packet */
        return;
    }
    UMockdevIoctlData *buffer = umockdev_ioctl_data_resolve(urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                            (gsize)urb->buffer_length, &error);
    if (!buffer) {
        fprintf(stderr, "usb-emulator: cannot read URB buffer: %s\n", error->message);
        g_clear_error(&error);
        finish(client, -1, EFAULT);
        return;
    }
    uint8_t *setup = buffer->data;
    uint16_t length = get16(setup + 6), in_len = 0;
    if (8 + (int)length > urb->buffer_length)
        length = (uint16_t)(urb->buffer_length - 8);

    /* Completed at once: the URB then waits for REAPURB in this file's queue, as a finished kernel URB does. */
    int status = (setup[0] & 0x80) ? control(dev, setup, NULL, 0, setup + 8, length, &in_len)
                                   : control(dev, setup, setup + 8, length, NULL, 0, &in_len);
    urb_queues *q = queues_of(client);
    if (status == STATUS_NO_ANSWER) {
        g_queue_push_tail(&q->pending, g_object_ref(urb_data));
    } else {
        urb->status = status < 0 ? status : 0;
        urb->actual_length = status < 0 ? 0 : ((setup[0] & 0x80) ? in_len : length);
        g_queue_push_tail(&q->done, g_object_ref(urb_data));
    }
    finish(client, 0, 0);
}

static void discard_urb(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    urb_queues *q = queues_of(client);
    gulong address = arg->client_addr;
    if (arg->data_len >= (gint)sizeof(gulong))
        memcpy(&address, arg->data, sizeof address);
    for (GList *l = q->pending.head; l; l = l->next) {
        UMockdevIoctlData *urb_data = l->data;
        if (urb_data->client_addr == address || urb_data->client_addr == arg->client_addr) {
            struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
            g_queue_delete_link(&q->pending, l);
            urb->status = -ENOENT;      /* what the kernel reports for a cancelled URB */
            urb->actual_length = 0;
            g_queue_push_tail(&q->done, urb_data);
            finish(client, 0, 0);
            return;
        }
    }
    finish(client, -1, EINVAL);         /* already completed */
}

static void reap_urb(device_t *dev, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    GError *error = NULL;
    urb_queues *q = queues_of(client);
    UMockdevIoctlData *urb_data = g_queue_pop_head(&q->done);
    if (!urb_data) {
        finish(client, -1, client_gone(dev, client) ? ENODEV : EAGAIN);
        return;
    }
    UMockdevIoctlData *pointer = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), &error);
    if (!pointer) {
        g_clear_error(&error);
        g_object_unref(urb_data);
        finish(client, -1, EFAULT);
        return;
    }
    /* The client must get its own URB address back, so link the original buffer rather than a copy. */
    umockdev_ioctl_data_set_ptr(pointer, 0, urb_data);
    g_object_unref(urb_data);
    finish(client, 0, 0);
}

static void simple_request(device_t *dev, UMockdevIoctlClient *client, uint8_t type, uint8_t request, uint16_t value, uint16_t index)
{
    uint8_t setup[8] = { type, request, 0, 0, 0, 0, 0, 0 };
    uint16_t in_len;
    put16(setup + 2, value);
    put16(setup + 4, index);
    int status = control(dev, setup, NULL, 0, NULL, 0, &in_len);
    finish(client, status < 0 ? -1 : 0, status < 0 ? -status : 0);
}

/*
 * read() on a usbfs node returns the device descriptor, then each configuration's raw descriptors, from the file
 * position on (linux drivers/usb/core/devio.c, usbdev_read); libusb reads it when it has no sysfs descriptors, as
 * libusb_wrap_sys_device does (libusb os/linux_usbfs.c, initialize_device). umockdev forwards read() but not
 * lseek(), so the position is kept per open file: reading at the end returns 0 (end of file), and the next read
 * starts over, which serves both a reader that stops at a short read after lseek(fd, 0, SEEK_SET) (libusb) and one
 * that reads to end of file (cat).
 */
static gboolean handle_read(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user_data)
{
    (void)base;
    device_t *dev = user_data;
    UMockdevIoctlData *buffer = umockdev_ioctl_client_get_arg(client);
    g_mutex_lock(&dev->lock);
    if (client_gone(dev, client)) {
        g_mutex_unlock(&dev->lock);
        finish(client, -1, ENODEV);
        return TRUE;
    }
    gsize position = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(client), "position"));
    gsize available = dev->descriptors->len > position ? dev->descriptors->len - position : 0;
    gsize count = (gsize)buffer->data_len < available ? (gsize)buffer->data_len : available;
    if (count > 0)
        memcpy(buffer->data, dev->descriptors->data + position, count);
    g_mutex_unlock(&dev->lock);
    g_object_set_data(G_OBJECT(client), "position", GSIZE_TO_POINTER(count > 0 ? position + count : 0));
    finish(client, (int)count, 0);
    return TRUE;
}

/* usbfs has no write operation, so the VFS refuses write() with EINVAL (linux fs/read_write.c, vfs_write). */
static gboolean handle_write(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user_data)
{
    (void)base;
    (void)user_data;
    finish(client, -1, EINVAL);
    return TRUE;
}

/* proc_conninfo_ex: the caller's size bounds the copy; the structure says how much the kernel knows. */
static void connection_info(device_t *dev, UMockdevIoctlClient *client, UMockdevIoctlData *arg, gsize size)
{
    GError *error = NULL;
    struct usbdevfs_conninfo_ex info = { .size = sizeof info, .busnum = 1, .devnum = (__u32)dev->devnum,
                                         .speed = 3 /* USB_SPEED_HIGH */, .num_ports = 1, .ports = { (__u8)dev->port } };
    gsize length = size < sizeof info ? size : sizeof info;
    UMockdevIoctlData *out = umockdev_ioctl_data_resolve(arg, 0, length, &error);
    if (!out) {
        g_clear_error(&error);
        finish(client, -1, EFAULT);
        return;
    }
    memcpy(out->data, &info, length);
    finish(client, 0, 0);
}

static gboolean bulk_timed_out(gpointer user_data)
{
    UMockdevIoctlClient *client = user_data;
    finish(client, -1, ETIMEDOUT);
    g_object_unref(client);
    return G_SOURCE_REMOVE;
}

static gboolean handle_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user_data)
{
    (void)base;
    device_t *dev = user_data;
    gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    GError *error = NULL;

    if (client_gone(dev, client) && request != USBDEVFS_REAPURB && request != USBDEVFS_REAPURBNDELAY && request != USBDEVFS_DISCARDURB) {
        finish(client, -1, ENODEV);
        return TRUE;
    }

    switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *caps = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), &error);
        if (!caps) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        /* proc_get_capabilities, less MMAP and scatter-gather, which the emulator does not offer. */
        *(guint32 *)caps->data = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION
                                 | USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_REAP_AFTER_DISCONNECT
                                 | USBDEVFS_CAP_DROP_PRIVILEGES | USBDEVFS_CAP_CONNINFO_EX | USBDEVFS_CAP_SUSPEND;
        finish(client, 0, 0);
        break;
    }
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_RELEASEINTERFACE: {
        /* claimintf/releaseintf: an interface the configuration lacks is ENOENT; releasing one this file has not
         * claimed is EINVAL. */
        UMockdevIoctlData *value = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned int), &error);
        if (!value) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        unsigned int number = *(unsigned int *)value->data;
        gsize claimed = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(client), "claimed"));
        gsize bit = number < 8 * sizeof claimed ? (gsize)1 << number : 0;
        if (bit == 0) {
            finish(client, -1, EINVAL);
        } else if (request == USBDEVFS_CLAIMINTERFACE) {
            if (!has_interface(dev, number)) {
                finish(client, -1, ENOENT);
                break;
            }
            g_object_set_data(G_OBJECT(client), "claimed", GSIZE_TO_POINTER(claimed | bit));
            finish(client, 0, 0);
        } else if (!(claimed & bit)) {
            finish(client, -1, EINVAL);
        } else {
            g_object_set_data(G_OBJECT(client), "claimed", GSIZE_TO_POINTER(claimed & ~bit));
            finish(client, 0, 0);
        }
        break;
    }
    case USBDEVFS_DISCONNECT_CLAIM: {
        UMockdevIoctlData *value = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_disconnect_claim), &error);
        if (!value) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        unsigned int number = ((struct usbdevfs_disconnect_claim *)value->data)->interface;
        if (!has_interface(dev, number)) {
            finish(client, -1, ENOENT);
            break;
        }
        gsize claimed = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(client), "claimed"));
        if (number < 8 * sizeof claimed)
            g_object_set_data(G_OBJECT(client), "claimed", GSIZE_TO_POINTER(claimed | (gsize)1 << number));
        finish(client, 0, 0);            /* no kernel driver to disconnect first */
        break;
    }
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESETEP: {
        /* proc_clearhalt/proc_resetep look the endpoint up with findintfep; endpoint 0 belongs to no interface. */
        UMockdevIoctlData *value = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned int), &error);
        if (!value) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        int refused = check_endpoint(dev, *(unsigned int *)value->data);
        finish(client, refused ? -1 : 0, refused);
        break;
    }
    case USBDEVFS_BULK: {
        /* proc_bulk: an unknown endpoint is refused; a known one waits for data that never comes and fails with
         * ETIMEDOUT when the caller's timeout expires (a zero timeout waits for ever, as in the kernel). */
        UMockdevIoctlData *value = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_bulktransfer), &error);
        if (!value) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        struct usbdevfs_bulktransfer *bulk = (struct usbdevfs_bulktransfer *)value->data;
        int refused = check_endpoint(dev, bulk->ep);
        if (refused)
            finish(client, -1, refused);
        else if (bulk->timeout > 0) {
            /* On the handler's own (worker) main context, where the client's replies belong. */
            GSource *timer = g_timeout_source_new(bulk->timeout);
            g_source_set_callback(timer, bulk_timed_out, g_object_ref(client), NULL);
            g_source_attach(timer, g_main_context_get_thread_default());
            g_source_unref(timer);
        }
        break;
    }
    case USBDEVFS_GETDRIVER:
    case USBDEVFS_IOCTL:
        finish(client, -1, ENODATA);     /* proc_getdriver/proc_ioctl: no kernel driver is bound to the interface */
        break;
    case USBDEVFS_CLAIM_PORT:
    case USBDEVFS_RELEASE_PORT:
    case USBDEVFS_ALLOC_STREAMS:
    case USBDEVFS_FREE_STREAMS:
        /* Port claims need a hub (usb_hub_claim_port), streams SuperSpeed bulk endpoints (usb_alloc_streams). */
        finish(client, -1, EINVAL);
        break;
    case USBDEVFS_DISCSIGNAL:
    case USBDEVFS_DROP_PRIVILEGES:
    case USBDEVFS_FORBID_SUSPEND:
    case USBDEVFS_ALLOW_SUSPEND:
    case USBDEVFS_WAIT_FOR_RESUME:
        /* Accepted as the kernel accepts them; the emulated device is never suspended, and no signal is sent
         * when it disconnects (clients see ENODEV and the remove uevent instead). */
        finish(client, 0, 0);
        break;
    case USBDEVFS_GET_SPEED:
        finish(client, 3 /* USB_SPEED_HIGH */, 0);
        break;
    case USBDEVFS_CONNECTINFO: {
        UMockdevIoctlData *info = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_connectinfo), &error);
        if (!info) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        ((struct usbdevfs_connectinfo *)info->data)->devnum = (unsigned int)dev->devnum;
        ((struct usbdevfs_connectinfo *)info->data)->slow = 0;
        finish(client, 0, 0);
        break;
    }
    case USBDEVFS_SETCONFIGURATION: {
        UMockdevIoctlData *value = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned int), &error);
        if (!value) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        simple_request(dev, client, 0x00, 0x09 /* SET_CONFIGURATION */, (uint16_t)*(unsigned int *)value->data, 0);
        break;
    }
    case USBDEVFS_SETINTERFACE: {
        UMockdevIoctlData *value = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_setinterface), &error);
        if (!value) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        struct usbdevfs_setinterface *s = (struct usbdevfs_setinterface *)value->data;
        simple_request(dev, client, 0x01, 0x0B /* SET_INTERFACE */, (uint16_t)s->altsetting, (uint16_t)s->interface);
        break;
    }
    case USBDEVFS_CONTROL: {
        UMockdevIoctlData *ct_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ctrltransfer), &error);
        if (!ct_data) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        struct usbdevfs_ctrltransfer *ct = (struct usbdevfs_ctrltransfer *)ct_data->data;
        uint8_t setup[8] = { ct->bRequestType, ct->bRequest };
        put16(setup + 2, ct->wValue);
        put16(setup + 4, ct->wIndex);
        put16(setup + 6, ct->wLength);
        UMockdevIoctlData *buffer = NULL;
        if (ct->wLength > 0) {
            buffer = umockdev_ioctl_data_resolve(ct_data, G_STRUCT_OFFSET(struct usbdevfs_ctrltransfer, data), ct->wLength, &error);
            if (!buffer) { g_clear_error(&error); finish(client, -1, EFAULT); break; }
        }
        uint16_t in_len = 0;
        int status = (setup[0] & 0x80) ? control(dev, setup, NULL, 0, buffer ? buffer->data : NULL, ct->wLength, &in_len)
                                       : control(dev, setup, buffer ? buffer->data : NULL, ct->wLength, NULL, 0, &in_len);
        if (status < 0)
            finish(client, -1, -status);
        else
            finish(client, (setup[0] & 0x80) ? in_len : ct->wLength, 0);
        break;
    }
    case USBDEVFS_SUBMITURB:
        submit_urb(dev, client, arg);
        break;
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
        reap_urb(dev, client, arg);
        break;
    case USBDEVFS_DISCARDURB:
        discard_urb(client, arg);
        break;
    case USBDEVFS_RESET: {
        uint8_t flags;
        uint16_t in_len;
        int status = model_call(dev, 'R', NULL, NULL, 0, NULL, 0, &in_len, &flags);
        emu.resets++;
        VLOG("1-%d bus reset -> %d%s\n", dev->port, status, (flags & FLAG_REENUMERATE) ? " [re-enumerate]" : "");
        after_model_call(dev, flags);
        finish(client, status < 0 ? -1 : 0, status < 0 ? -status : 0);
        break;
    }
    default:
        if (_IOC_TYPE(request) == 'U' && _IOC_NR(request) == _IOC_NR(USBDEVFS_CONNINFO_EX(0))
            && _IOC_DIR(request) == _IOC_READ) {
            connection_info(dev, client, arg, _IOC_SIZE(request));
            break;
        }
        /* usbdev_do_ioctl answers every other request with ENOTTY. */
        fprintf(stderr, "usb-emulator: unhandled usbdevfs ioctl 0x%lx\n", request);
        finish(client, -1, ENOTTY);
        break;
    }
    return TRUE;
}

/* ---- the sysfs device --------------------------------------------------------------------------------------- */

static void append_hex(GString *s, const uint8_t *bytes, int count)
{
    for (int i = 0; i < count; i++)
        g_string_append_printf(s, "%02x", bytes[i]);
}

/* lsusb reads manufacturer, product and serial from sysfs; keep printable ASCII of the UTF-16 string. */
static char *string_attribute(device_t *dev, uint8_t index)
{
    GString *text = g_string_new(NULL);
    uint8_t setup[8] = { 0x80, 0x06, index, 0x03, 0x09, 0x04, 0xFF, 0x00 };
    uint8_t descriptor[255];
    uint16_t length = 0;
    if (index != 0 && control(dev, setup, NULL, 0, descriptor, sizeof descriptor, &length) == 0) {
        for (int i = 2; i + 1 < length && i < descriptor[0]; i += 2) {
            uint8_t c = descriptor[i];
            g_string_append_c(text, (descriptor[i + 1] == 0 && c >= 0x20 && c < 0x7F && c != '\\') ? (char)c : '_');
        }
    }
    return g_string_free(text, FALSE);
}

static int publish_device(device_t *dev)
{
    uint8_t device[18], config[4096], setup[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 18, 0 };
    uint16_t length = 0;
    GError *error = NULL;

    if (control(dev, setup, NULL, 0, device, sizeof device, &length) != 0 || length != 18) {
        fprintf(stderr, "usb-emulator: the model gave no device descriptor\n");
        return -1;
    }
    uint8_t config_setup[8] = { 0x80, 0x06, 0x00, 0x02, 0x00, 0x00, 0x00, 0x10 };
    if (control(dev, config_setup, NULL, 0, config, sizeof config, &length) != 0 || length < 9 || get16(config + 2) != length) {
        fprintf(stderr, "usb-emulator: the model gave no complete configuration descriptor\n");
        return -1;
    }

    char *manufacturer = string_attribute(dev, device[14]), *product = string_attribute(dev, device[15]),
         *serial = string_attribute(dev, device[16]);
    GString *hex = g_string_new(NULL);
    append_hex(hex, device, 18);
    append_hex(hex, config, length);
    dev->devnum = emu.next_devnum++;
    char *devnode = g_strdup_printf("/dev/bus/usb/001/%03d", dev->devnum);
    char *record = g_strdup_printf(
        "P: /devices/pci0000:00/0000:00:14.0/usb1/1-%d\n"
        "N: bus/usb/001/%03d\n"
        "E: DEVNAME=%s\nE: DEVTYPE=usb_device\nE: DRIVER=usb\nE: SUBSYSTEM=usb\n"
        "E: BUSNUM=001\nE: DEVNUM=%03d\nE: PRODUCT=%x/%x/%x\n"
        "A: busnum=1\\n\nA: devnum=%d\\n\nA: speed=480\\n\nA: bConfigurationValue=%d\\n\n"
        "A: bNumConfigurations=%d\\n\nA: bNumInterfaces=%2d\\n\n"
        "A: idVendor=%04x\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\n"
        "A: manufacturer=%s\\n\nA: product=%s\\n\nA: serial=%s\\n\n"
        "H: descriptors=%s\n",
        dev->port, dev->devnum, devnode, dev->devnum, get16(device + 8), get16(device + 10), get16(device + 12),
        dev->devnum, config[5], device[17], config[4], get16(device + 8), get16(device + 10), get16(device + 12),
        manufacturer, product, serial, hex->str);

    /* The new publication's state comes before the node: the ioctl handlers run on umockdev's worker thread, and
     * libusb may open the node as soon as the "add" uevent arrives. Files of the old node stay dead by generation. */
    g_mutex_lock(&dev->lock);
    g_byte_array_set_size(dev->descriptors, 0);
    g_byte_array_append(dev->descriptors, device, sizeof device);
    g_byte_array_append(dev->descriptors, config, length);
    g_atomic_int_inc(&dev->generation);
    dev->gone = 0;
    g_mutex_unlock(&dev->lock);

    /* The handler goes before the sysfs device, for the same reason. */
    int ok = umockdev_testbed_attach_ioctl(emu.testbed, devnode, dev->handler, &error)
             && umockdev_testbed_add_from_string(emu.testbed, record, &error);
    if (!ok) {
        dev->gone = 1;
        fprintf(stderr, "usb-emulator: cannot publish the device: %s\n", error->message);
        g_clear_error(&error);
    } else {
        g_free(dev->devnode);
        dev->devnode = g_strdup(devnode);
        VLOG("device %04x:%04x at 1-%d as %s\n", get16(device + 8), get16(device + 10), dev->port, devnode);
    }
    g_free(manufacturer); g_free(product); g_free(serial); g_free(devnode); g_free(record);
    g_string_free(hex, TRUE);
    return ok ? 0 : -1;
}

static gboolean reenumerate(gpointer user_data)
{
    device_t *dev = user_data;
    GError *error = NULL;

    emu.reenumerations++;
    /* umockdev_testbed_remove_device sends no uevent, so announce the removal while sysfs still has the device. */
    umockdev_testbed_uevent(emu.testbed, dev->syspath, "remove");
    umockdev_testbed_remove_device(emu.testbed, dev->syspath);
    if (!umockdev_testbed_detach_ioctl(emu.testbed, dev->devnode, &error))
        g_clear_error(&error);

    /* A device that does not come back (an injected disconnect) simply stays off the bus; the command carries on. */
    if (publish_device(dev) != 0)
        fprintf(stderr, "usb-emulator: the device did not come back after re-enumerating\n");
    return G_SOURCE_REMOVE;
}

/* ---- processes ---------------------------------------------------------------------------------------------- */

static int preloaded(void)
{
    const char *value = getenv("LD_PRELOAD");
    return value && strstr(value, PRELOAD_LIB);
}

/* The model runs outside the mock: strip the preload library and the testbed from its environment. */
static void start_model(device_t *dev, const char *command)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        perror("usb-emulator: socketpair");
        exit(70);
    }
    dev->model_pid = fork();
    if (dev->model_pid < 0) {
        perror("usb-emulator: fork");
        exit(70);
    }
    if (dev->model_pid == 0) {
        dup2(pair[1], STDIN_FILENO);
        dup2(pair[1], STDOUT_FILENO);
        unsetenv("LD_PRELOAD");
        unsetenv("UMOCKDEV_DIR");
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(pair[1]);
    dev->model_fd = pair[0];
}

static void stop_models(void)
{
    for (int d = 0; d < emu.device_count; d++) {
        device_t *dev = &emu.devices[d];
        if (dev->model_fd >= 0) {
            close(dev->model_fd);    /* end of input: the model saves its state and exits */
            dev->model_fd = -1;
        }
    }
    for (int d = 0; d < emu.device_count; d++) {
        int status;
        if (emu.devices[d].model_pid > 0)
            while (waitpid(emu.devices[d].model_pid, &status, 0) < 0 && errno == EINTR) { }
    }
}

static void command_exited(GPid pid, gint status, gpointer unused)
{
    (void)pid; (void)unused;
    emu.command_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    g_main_loop_quit(emu.loop);
}

static gboolean interrupted(gpointer unused)
{
    (void)unused;
    emu.command_status = 130;
    g_main_loop_quit(emu.loop);
    return G_SOURCE_REMOVE;
}

static void usage(void)
{
    fprintf(stderr, "usage: usb-emulator [-v] [--stats FILE] --model 'COMMAND' [--model 'COMMAND'...] -- PROGRAM [ARGS...]\n");
    exit(64);
}

int main(int argc, char **argv)
{
    const char *models[MAX_DEVICES], *stats = NULL;
    int i;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) { i++; break; }
        else if (!strcmp(argv[i], "-v")) emu.verbose = 1;
        else if (!strcmp(argv[i], "--model") && i + 1 < argc && emu.device_count < MAX_DEVICES) models[emu.device_count++] = argv[++i];
        else if (!strcmp(argv[i], "--stats") && i + 1 < argc) stats = argv[++i];
        else usage();
    }
    if (emu.device_count == 0 || i >= argc)
        usage();

    if (!preloaded()) {
        /* umockdev synthesises uevents through libudev, which sees the mocked /sys only when preloaded. */
        const char *old = getenv("LD_PRELOAD");
        char *value = old && *old ? g_strdup_printf("%s:%s", PRELOAD_LIB, old) : g_strdup(PRELOAD_LIB);
        setenv("LD_PRELOAD", value, 1);
        execv("/proc/self/exe", argv);
        perror("usb-emulator: re-executing under " PRELOAD_LIB);
        return 70;
    }

    signal(SIGPIPE, SIG_IGN);
    for (int d = 0; d < emu.device_count; d++) {
        emu.devices[d].model_fd = -1;
        g_mutex_init(&emu.devices[d].lock);
    }
    for (int d = 0; d < emu.device_count; d++)
        start_model(&emu.devices[d], models[d]);

    emu.testbed = umockdev_testbed_new();
    emu.next_devnum = 2;
    emu.loop = g_main_loop_new(NULL, FALSE);
    for (int d = 0; d < emu.device_count; d++) {
        device_t *dev = &emu.devices[d];
        dev->port = d + 1;
        dev->syspath = g_strdup_printf("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%d", dev->port);
        dev->handler = umockdev_ioctl_base_new();
        dev->descriptors = g_byte_array_new();
        g_signal_connect(dev->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), dev);
        g_signal_connect(dev->handler, "handle-read", G_CALLBACK(handle_read), dev);
        g_signal_connect(dev->handler, "handle-write", G_CALLBACK(handle_write), dev);
        g_signal_connect(dev->handler, "client-connected", G_CALLBACK(client_connected), dev);
        if (publish_device(dev) != 0) {
            stop_models();
            return 70;
        }
    }

    g_unix_signal_add(SIGINT, interrupted, NULL);
    g_unix_signal_add(SIGTERM, interrupted, NULL);
    GPid pid;
    GError *error = NULL;
    char **environment = g_get_environ();
    if (!g_spawn_async(NULL, argv + i, environment,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CHILD_INHERITS_STDIN,
                       NULL, NULL, &pid, &error)) {
        fprintf(stderr, "usb-emulator: cannot run %s: %s\n", argv[i], error->message);
        stop_models();
        return 127;
    }
    g_strfreev(environment);
    g_child_watch_add(pid, command_exited, NULL);
    g_main_loop_run(emu.loop);

    stop_models();
    if (stats) {
        char *text = g_strdup_printf("control_transfers=%lu\nresets=%lu\nreenumerations=%lu\n",
                                     emu.transfers, emu.resets, emu.reenumerations);
        g_file_set_contents(stats, text, -1, NULL);
        g_free(text);
    }
    VLOG("%lu control transfers, %lu resets, %lu re-enumerations\n", emu.transfers, emu.resets, emu.reenumerations);
    for (int d = 0; d < emu.device_count; d++) {
        g_object_unref(emu.devices[d].handler);
        g_byte_array_unref(emu.devices[d].descriptors);
    }
    g_object_unref(emu.testbed);
    return emu.command_status;
}
