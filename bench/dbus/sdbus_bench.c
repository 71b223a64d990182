/*
 * The sd-bus side of the D-Bus round-trip benchmark: the same calls as the managed clients
 * (Concierge.Bench.DBus), one outstanding call at a time, timed per call.
 * Usage: sdbus_bench ADDRESS DEST PATH INTERFACE MEMBER COUNT LABEL [STRING]
 * With STRING the call takes one string argument and must return it (signature s -> s); without,
 * the call has no arguments and the reply's body is not read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* One call; with an argument, the reply must carry the same string back. Returns < 0 on failure. */
static int call(sd_bus *bus, const char *dest, const char *path, const char *iface, const char *member, const char *argument) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int r = argument == NULL
        ? sd_bus_call_method(bus, dest, path, iface, member, &error, &reply, NULL)
        : sd_bus_call_method(bus, dest, path, iface, member, &error, &reply, "s", argument);
    if (r >= 0 && argument != NULL) {
        const char *echoed = NULL;
        r = sd_bus_message_read(reply, "s", &echoed);
        if (r >= 0 && strcmp(echoed, argument) != 0) r = -EBADMSG;
    }
    if (r < 0) fprintf(stderr, "call failed: %s%s%s\n", strerror(-r), error.message ? ": " : "", error.message ? error.message : "");
    sd_bus_error_free(&error);
    sd_bus_message_unref(reply);
    return r;
}

int main(int argc, char **argv) {
    if (argc != 8 && argc != 9) {
        fprintf(stderr, "usage: %s ADDRESS DEST PATH INTERFACE MEMBER COUNT LABEL [STRING]\n", argv[0]);
        return 2;
    }
    const char *address = argv[1], *dest = argv[2], *path = argv[3], *iface = argv[4], *member = argv[5], *label = argv[7];
    const char *argument = argc == 9 ? argv[8] : NULL;
    int count = atoi(argv[6]);
    if (count <= 0) {
        fprintf(stderr, "COUNT must be positive\n");
        return 2;
    }
    sd_bus *bus = NULL;
    int r = sd_bus_new(&bus);
    if (r >= 0) r = sd_bus_set_address(bus, address);
    if (r >= 0) r = sd_bus_set_bus_client(bus, 1);
    if (r >= 0) r = sd_bus_start(bus);
    if (r < 0) {
        fprintf(stderr, "cannot connect: %s\n", strerror(-r));
        return 1;
    }
    long long *samples = calloc((size_t)count, sizeof(long long));
    if (samples == NULL) return 1;
    /* Warm up: the first calls pay for page faults and the daemon's first routing. */
    for (int i = 0; i < count / 10 + 1; i++) {
        if (call(bus, dest, path, iface, member, argument) < 0) return 1;
    }
    long long start = now_ns();
    for (int i = 0; i < count; i++) {
        long long t0 = now_ns();
        r = call(bus, dest, path, iface, member, argument);
        samples[i] = now_ns() - t0;
        if (r < 0) return 1;
    }
    long long total = now_ns() - start;
    qsort(samples, (size_t)count, sizeof(long long), compare);
    printf("%s calls=%d per_second=%.0f p50_us=%.1f p99_us=%.1f\n", label, count,
           count / (total / 1e9), samples[count / 2] / 1000.0, samples[(count * 99) / 100] / 1000.0);
    free(samples);
    sd_bus_flush_close_unref(bus);
    return 0;
}
