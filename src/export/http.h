/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __LRUTOP_HTTP_H
#define __LRUTOP_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Serves the last published text at /metrics (libmicrohttpd, its own thread). */
struct metrics_server;

/*
 * Parse "PORT" (127.0.0.1), "ADDR:PORT" or "[IPV6]:PORT". addr (room for len) gets the
 * address, port the port; either may be NULL to validate only. Returns 0 or -EINVAL.
 */
int listen_parse(const char *spec, char *addr, size_t len, uint16_t *port);
/* Start serving on spec. Negative errno, with the reason in why. */
int metrics_server_start(const char *spec, struct metrics_server **out, char *why, size_t len);
/* Replace what /metrics returns: text is copied. */
int metrics_server_publish(struct metrics_server *srv, const char *text, size_t len);
void metrics_server_stop(struct metrics_server *srv);

#endif
