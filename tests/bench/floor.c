// SPDX-License-Identifier: GPL-2.0
/*
 * Loads a floor object, attaches every program in it, prints "attached" and waits for a
 * signal. A PROG=FUNC argument sets the function an fentry or fexit program traces.
 * usage: bench-floor OBJECT [PROG=FUNC]...
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[8];
	struct bpf_object *obj;
	struct bpf_program *prog;
	int n = 0, err = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [PROG=FUNC]...\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	for (int i = 2; obj && i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			continue;
		*eq = '\0';
		prog = bpf_object__find_program_by_name(obj, argv[i]);
		if (!prog || bpf_program__set_attach_target(prog, 0, eq + 1)) {
			fprintf(stderr, "bench-floor: cannot set %s's target to %s\n", argv[i], eq + 1);
			goto cleanup;
		}
	}
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "bench-floor: cannot load %s\n", argv[1]);
		goto cleanup;
	}
	bpf_object__for_each_program(prog, obj) {
		if (n == 8 || !(links[n++] = bpf_program__attach(prog))) {
			fprintf(stderr, "bench-floor: cannot attach %s\n", bpf_program__name(prog));
			goto cleanup;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	err = 0;
cleanup:
	while (n-- > 0)
		bpf_link__destroy(links[n]);
	bpf_object__close(obj);
	return err;
}
