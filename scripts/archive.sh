# SPDX-License-Identifier: GPL-2.0
# Sourced: Debian's archive through a private apt configuration that does not touch the
# system's lists, with every suite lrutop takes packages from: bullseye (5.10), bookworm,
# bookworm-security (6.1, 6.12), trixie and trixie-backports (6.12 to 7.x, virtme-ng).
# archive_setup CACHE_DIR sets apt_opts for apt-get and apt-cache, and refreshes the lists
# when they are a day old.

# The archive's address comes from the system's own sources: deb822 (debian.sources, Debian
# 12's default) or the classic one-line format (sources.list, a runner upgraded from 11);
# other files may hold unreachable addresses. APT_ETC: another /etc/apt, for tests.
archive_uri() {
	local want=$1 etc=${APT_ETC:-/etc/apt} uri=
	[ -r "$etc/sources.list.d/debian.sources" ] && uri=$(awk -v want="$want" '
		/^URIs:/ { uri = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) { print uri; exit } }
	' "$etc/sources.list.d/debian.sources")
	[ -z "$uri" ] && [ -r "$etc/sources.list" ] && uri=$(awk -v want="$want" '
		$1 == "deb" { sub(/\[[^]]*\][ \t]*/, ""); if ($3 == want) { print $2; exit } }
	' "$etc/sources.list")
	echo "$uri"
}

archive_setup() {
	local cache=$1 main_uri sec_uri apt_dir
	main_uri=$(archive_uri bookworm)
	sec_uri=$(archive_uri bookworm-security)
	[ -n "$main_uri" ] || { echo "archive: no Debian archive address for bookworm in ${APT_ETC:-/etc/apt}/sources.list.d/debian.sources or sources.list" >&2; return 1; }
	apt_dir=$cache/apt/all
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
	{
		for suite in bullseye bookworm trixie trixie-backports; do
			echo "deb $main_uri $suite main"
		done
		[ -n "$sec_uri" ] && echo "deb $sec_uri bookworm-security main"
	} > "$apt_dir/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
		  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir"
		  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::List-Cleanup=0"
		  -o "APT::Sandbox::User=root")
	# Lists younger than a day are reused: a test run fetches several kernels in a row.
	if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
		apt-get -qq "${apt_opts[@]}" update >&2
	fi
}
