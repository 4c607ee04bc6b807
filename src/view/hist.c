// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "hist.h"

#define BAR_WIDTH 40

static size_t append(char *buf, size_t len, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t len, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (off >= len)
		return off;
	va_start(ap, fmt);
	n = vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
	return n < 0 ? off : off + n;
}

size_t hist_render(const __u64 *slots, unsigned int nslots, const char *unit, char *buf,
		   size_t len)
{
	unsigned int last = 0, bar;
	int width;
	__u64 max = 0, lo, hi;
	char stars[BAR_WIDTH + 1];
	size_t off = 0;
	int any = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < nslots; i++) {
		if (slots[i]) {
			any = 1;
			last = i;
		}
		if (slots[i] > max)
			max = slots[i];
	}
	if (!any)
		return 0;
	/* bcc's print_log2_hist widths: 10-digit bounds unless slots go past 2^32. */
	width = last < 32 ? 10 : 20;
	off = append(buf, len, off, "%*s%-*s : count    distribution\n", last < 32 ? 5 : 15, "",
		     last < 32 ? 19 : 29, unit);
	for (unsigned int i = 0; i <= last; i++) {
		lo = i ? 1ULL << i : 0;
		hi = (1ULL << (i + 1)) - 1;
		/* Rounded to nearest so that a small non-zero slot still shows a star. */
		bar = (unsigned int)((slots[i] * BAR_WIDTH + max / 2) / max);
		if (slots[i] && !bar)
			bar = 1;
		memset(stars, '*', bar);
		memset(stars + bar, ' ', BAR_WIDTH - bar);
		stars[BAR_WIDTH] = '\0';
		off = append(buf, len, off, "%*llu -> %-*llu : %-8llu |%s|\n",
			     width, (unsigned long long)lo, width, (unsigned long long)hi,
			     (unsigned long long)slots[i], stars);
	}
	return off < len ? off : len - 1;
}
