# bash completion for lrutop: options, subcommands and their options, sort keys, backends.
# Installed as /usr/share/bash-completion/completions/lrutop.

_lrutop()
{
	local cur prev sub words cword
	_init_completion || return

	sub=
	for w in "${words[@]:1:cword-1}"; do
		case "$w" in
		inventory | model | compare | snapshot) sub=$w; break ;;
		esac
	done
	case "$prev" in
	-s | --sort)
		# The names come from lrutop's own metric table.
		COMPREPLY=($(compgen -W "$(lrutop -o help 2>/dev/null | awk 'NR > 1 { print $1 }') path" -- "$cur"))
		return ;;
	-o | --columns)
		COMPREPLY=($(compgen -W "$(lrutop -o help 2>/dev/null | awk 'NR > 1 { print $1 }') default all" -- "$cur"))
		return ;;
	--backend | -B)
		COMPREPLY=($(compgen -W 'auto fentry tracepoint' -- "$cur"))
		return ;;
	--by)
		COMPREPLY=($(compgen -W 'owner cause' -- "$cur"))
		return ;;
	--keep-removed)
		COMPREPLY=($(compgen -W 'never 60' -- "$cur"))
		return ;;
	--list-lru-one)
		COMPREPLY=($(compgen -W '24 32' -- "$cur"))
		return ;;
	-c | --cgroup)
		return ;;
	--prometheus | --from | --svg | -o | --output)
		_filedir
		return ;;
	esac
	case "$sub" in
	inventory)
		COMPREPLY=($(compgen -W '--json --lrus --rows --verbose --help' -- "$cur")) ;;
	model)
		COMPREPLY=($(compgen -W '--memcgs --mounts --nodes --touch --shared --list-lrus --ids
			--list-lru-one --pairs --lrus --from --cover-letter --json --help' -- "$cur")) ;;
	compare)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--svg --check --threshold --help' -- "$cur"))
		else
			_filedir json
		fi ;;
	snapshot)
		COMPREPLY=($(compgen -W '--output --duration --label --backend --max-memcgs --verbose
			--help' -- "$cur")) ;;
	*)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--batch --json --sort --columns --rows --cgroup --hist --lrus
				--cumulative --by --backend --max-memcgs --keep-removed --inventory-interval
				--probe --bpf-stats --no-self-check --prometheus --listen --top --verbose --help
				--version' -- "$cur"))
		else
			COMPREPLY=($(compgen -W 'inventory model compare snapshot' -- "$cur"))
		fi ;;
	esac
}
complete -F _lrutop lrutop
