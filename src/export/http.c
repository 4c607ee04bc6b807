// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"

int listen_parse(const char *spec, char *addr, size_t len, uint16_t *port)
{
	char host[64] = "127.0.0.1", *end;
	const char *p = spec, *colon;
	struct in6_addr a6;
	struct in_addr a4;
	long v;

	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (!end || end[1] != ':' || end - spec - 1 >= (long)sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(end - spec - 1), spec + 1);
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return -EINVAL;
		p = end + 2;
	} else if ((colon = strrchr(spec, ':'))) {
		if (colon - spec >= (long)sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		if (inet_pton(AF_INET, host, &a4) != 1)
			return -EINVAL;
		p = colon + 1;
	}
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno || end == p || *end || v < 1 || v > 65535)
		return -EINVAL;
	if (addr)
		snprintf(addr, len, "%s", host);
	if (port)
		*port = v;
	return 0;
}

#ifdef LRUTOP_NO_HTTP
/* The static build for test guests goes without libmicrohttpd (and its TLS libraries). */
int metrics_server_start(const char *spec, struct metrics_server **out, char *why, size_t len)
{
	snprintf(why, len, "this lrutop was built without HTTP support (static build)");
	return -ENOTSUP;
}

int metrics_server_publish(struct metrics_server *srv, const char *text, size_t len)
{
	return -ENOTSUP;
}

void metrics_server_stop(struct metrics_server *srv)
{
}
#else
#include <dlfcn.h>
#include <sys/resource.h>
#include <microhttpd.h>

/*
 * libmicrohttpd, and the ten TLS and IDN libraries it links, loaded only for --listen: a run
 * that serves nothing maps none of them (2 MB of RSS, and their relocations at start-up).
 */
#define MHD_LIBRARY	"libmicrohttpd.so.12"

static struct {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_create_response_from_buffer_with_free_callback_cls) *create_shared_response;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
} mhd;

static int mhd_load(char *why, size_t len)
{
	void *lib;

	if (mhd.start_daemon)
		return 0;
	lib = dlopen(MHD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, len, "cannot load %s (Debian: libmicrohttpd12): %s", MHD_LIBRARY,
			 dlerror());
		return -ENOENT;
	}
	mhd.stop_daemon = dlsym(lib, "MHD_stop_daemon");
	mhd.create_response_from_buffer = dlsym(lib, "MHD_create_response_from_buffer");
	mhd.create_shared_response = dlsym(lib, "MHD_create_response_from_buffer_with_free_callback_cls");
	mhd.add_response_header = dlsym(lib, "MHD_add_response_header");
	mhd.queue_response = dlsym(lib, "MHD_queue_response");
	mhd.destroy_response = dlsym(lib, "MHD_destroy_response");
	mhd.start_daemon = dlsym(lib, "MHD_start_daemon");	/* last: it says all are there */
	if (!mhd.stop_daemon || !mhd.create_response_from_buffer || !mhd.create_shared_response ||
	    !mhd.add_response_header ||
	    !mhd.queue_response || !mhd.destroy_response || !mhd.start_daemon) {
		snprintf(why, len, "%s lacks a function lrutop calls", MHD_LIBRARY);
		mhd.start_daemon = NULL;
		dlclose(lib);
		return -ENOENT;
	}
	return 0;	/* loaded for good: the server's threads run its code until exit */
}

/*
 * The text of one refresh, shared by every response that serves it and freed by the last:
 * one copy a refresh, not one a scrape (200 scrapers at once made 200 copies, and the heap
 * kept growing with them).
 */
struct shared_text {
	int refs;
	size_t len;
	char data[];
};

/* Let go of t; the last reference frees it (MHD's callback when a response is done). */
static void text_put(void *cls)
{
	struct shared_text *t = cls;

	if (t && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(t);
}

struct metrics_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	struct shared_text *text;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = mhd.queue_response(conn, status, resp);
	mhd.destroy_response(resp);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	static const char plain[] = "text/plain; charset=utf-8";
	struct metrics_server *srv = cls;
	struct MHD_Response *resp;
	struct shared_text *text;
	enum MHD_Result ret;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, plain, strdup("GET only\n"), 9);
	if (!strcmp(url, "/"))
		return reply(conn, MHD_HTTP_OK, plain, strdup("lrutop: metrics at /metrics\n"), 28);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, plain, strdup("not found\n"), 10);
	pthread_mutex_lock(&srv->lock);
	text = srv->text;
	if (text)
		__atomic_add_fetch(&text->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&srv->lock);
	if (!text)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, plain,
			     strdup("no sample yet\n"), 14);
	resp = mhd.create_shared_response(text->len, text->data, text_put, text);
	if (!resp) {
		text_put(text);
		return MHD_NO;
	}
	mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	ret = mhd.queue_response(conn, MHD_HTTP_OK, resp);
	mhd.destroy_response(resp);
	return ret;
}

/*
 * How many connections to accept at once: as many as the process may open, less a reserve
 * for lrutop's own files and maps, after raising the soft limit toward the hard one. Idle
 * or slow clients by the thousand must not leave a scrape without a slot.
 */
#define HTTP_FD_RESERVE	128
#define HTTP_MAX_CONNS	8192U

static unsigned int connection_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 32;
	if (rl.rlim_cur < HTTP_MAX_CONNS + HTTP_FD_RESERVE && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < HTTP_MAX_CONNS + HTTP_FD_RESERVE ?
			      rl.rlim_max : HTTP_MAX_CONNS + HTTP_FD_RESERVE;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur <= HTTP_FD_RESERVE + 32)
		return 32;
	return rl.rlim_cur - HTTP_FD_RESERVE < HTTP_MAX_CONNS ? rl.rlim_cur - HTTP_FD_RESERVE :
								 HTTP_MAX_CONNS;
}

/* The socket address of host (a numeric IPv4 or IPv6 address) and port; true for IPv6. */
static bool sockaddr_of(const char *host, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	if (strchr(host, ':')) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		return true;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, host, &s4->sin_addr);
	return false;
}

int metrics_server_start(const char *spec, struct metrics_server **out, char *why, size_t len)
{
	struct sockaddr_storage ss = {};
	struct metrics_server *srv;
	sigset_t block, old;
	/* epoll: select() stops at 1024 descriptors. Two threads: a slow client's request
	 * parsing never holds up another's scrape. */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	char host[64];
	uint16_t port;
	int err;

	if (listen_parse(spec, host, sizeof(host), &port)) {
		snprintf(why, len, "invalid listen address '%s'", spec);
		return -EINVAL;
	}
	err = mhd_load(why, len);
	if (err)
		return err;
	if (sockaddr_of(host, port, &ss))
		flags |= MHD_USE_IPv6;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	pthread_mutex_init(&srv->lock, NULL);
	/* The server's thread must not take SIGINT/SIGTERM/SIGHUP from the main loop. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	srv->daemon = mhd.start_daemon(flags, port, NULL, NULL, handle, srv,
				       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				       MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
				       MHD_OPTION_THREAD_POOL_SIZE, 2U,
				       /* A connection silent this long is closed: a slow client
					* cannot hold its slot for good. */
				       MHD_OPTION_CONNECTION_TIMEOUT, 5U,
				       /* Request headers beyond this get an error reply, not memory. */
				       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)8192,
				       MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!srv->daemon) {
		snprintf(why, len, "cannot listen on %s port %u (in use, or not an address of this host)",
			 host, port);
		pthread_mutex_destroy(&srv->lock);
		free(srv);
		return -EADDRNOTAVAIL;
	}
	*out = srv;
	return 0;
}

int metrics_server_publish(struct metrics_server *srv, const char *text, size_t len)
{
	struct shared_text *t = malloc(sizeof(*t) + (len ? len : 1)), *old;

	if (!t)
		return -ENOMEM;
	t->refs = 1;	/* the server's, until the next refresh replaces it */
	t->len = len;
	memcpy(t->data, text, len);
	pthread_mutex_lock(&srv->lock);
	old = srv->text;
	srv->text = t;
	pthread_mutex_unlock(&srv->lock);
	text_put(old);
	return 0;
}

void metrics_server_stop(struct metrics_server *srv)
{
	if (!srv)
		return;
	mhd.stop_daemon(srv->daemon);
	pthread_mutex_destroy(&srv->lock);
	text_put(srv->text);
	free(srv);
}
#endif
