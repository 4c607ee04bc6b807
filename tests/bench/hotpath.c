// SPDX-License-Identifier: GPL-2.0
/*
 * An allocation-heavy workload that touches no list_lru: datagrams of 1,400 bytes to
 * ourselves over UDP on loopback, each skb head kmalloc'd and kfree'd by the kernel; the
 * socket is made before the clock starts. Prints the seconds the datagrams took.
 * usage: hotpath [DATAGRAMS]   (default 100,000)
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A booted guest may have lo down. */
static int loopback_up(int fd)
{
	struct ifreq ifr = { .ifr_name = "lo" };

	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		return -1;
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long n = argc > 1 ? atol(argv[1]) : 100000;
	socklen_t len = sizeof(to);
	struct timespec t0, t1;
	char buf[1400] = "lrutop";
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || loopback_up(fd) || bind(fd, (struct sockaddr *)&to, len) ||
	    getsockname(fd, (struct sockaddr *)&to, &len)) {
		perror("hotpath: socket");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, len) != sizeof(buf) ||
		    recv(fd, buf, sizeof(buf), 0) != sizeof(buf)) {
			perror("hotpath: datagram");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.4f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	close(fd);
	return 0;
}
