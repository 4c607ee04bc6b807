// SPDX-License-Identifier: GPL-2.0
/* Unit tests of http: --listen addresses. */
#include "unit.h"

static void test_listen_parse(void **state)
{
	char addr[64];
	uint16_t port;

	assert_int_equal(listen_parse("9843", addr, sizeof(addr), &port), 0);
	/* Loopback unless an address is given: metrics are not for every network by default. */
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(port, 9843);
	assert_int_equal(listen_parse("10.1.2.3:80", addr, sizeof(addr), &port), 0);
	assert_string_equal(addr, "10.1.2.3");
	assert_int_equal(listen_parse("[::1]:65535", addr, sizeof(addr), &port), 0);
	assert_string_equal(addr, "::1");
	assert_int_equal(port, 65535);
	assert_int_equal(listen_parse("localhost:80", addr, sizeof(addr), &port), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_parse),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
