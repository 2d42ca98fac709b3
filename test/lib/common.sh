# test/lib/common.sh: what test/run and demo/run share.  Sourced, not run.
#   vr_need_packages PKG...   as root, apt-get install the missing ones
#   vr_drop_root SCRIPT ARGS  as root, re-run SCRIPT as user postgres on a
#                             private copy of the tree (PostgreSQL refuses root)
#   vr_prepare_data           as root, generate the GloVe and WordNet sets of
#                             ../shared/data into $VECRAG_DATA (cached)
#   vr_private_install DIR    copy this PostgreSQL into DIR, install vecrag
#                             there, and put DIR's bin first on PATH, so tests
#                             and the demo never touch the system installation
#   vr_start_cluster DIR      initdb DIR (once) and start it with pg_ctl on a
#                             Unix socket in DIR/sock only (no TCP port to
#                             collide); exports PGHOST, PGPORT, PGDATABASE
#   vr_stop_cluster DIR       stop it if it runs

PGVER=${PGVER:-15}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PGVER/bin/pg_config}
VR_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VR_USER=${VR_USER:-postgres}
# ../shared sits beside the main checkout (for a git worktree: beside the
# checkout that holds the repository)
if [ -z "${VECRAG_SHARED:-}" ]; then
	VECRAG_SHARED=$VR_REPO/../shared
	if [ ! -d "$VECRAG_SHARED" ] && git -C "$VR_REPO" rev-parse --git-common-dir >/dev/null 2>&1; then
		VECRAG_SHARED=$(cd "$(git -C "$VR_REPO" rev-parse --path-format=absolute --git-common-dir)/../.." && pwd)/shared
	fi
fi
export VECRAG_SHARED
export VECRAG_DATA=${VECRAG_DATA:-/tmp/vecrag-data}

vr_need_packages()
{
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "== installing ${missing[*]}"
	if ! apt-get update -qq >/dev/null; then
		echo "error: apt-get update failed; this needs access to the Debian package mirrors" >&2
		return 1
	fi
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
		echo "error: apt-get install ${missing[*]} failed" >&2
		return 1
	fi
}

# Copy the tree (without .git and build output) and ../shared/data to
# $VR_STAGE owned by $VR_USER, then exec the same script there as that user.
vr_drop_root()
{
	local script=$1
	shift
	VR_STAGE=${VR_STAGE:-/tmp/vecrag-stage-$(echo "$VR_REPO" | md5sum | cut -c1-8)}
	local shared=$VECRAG_SHARED
	id "$VR_USER" >/dev/null 2>&1 || useradd --system --create-home "$VR_USER"
	rm -rf "$VR_STAGE"
	mkdir -p "$VR_STAGE/repo"
	tar -C "$VR_REPO" --exclude=./.git --exclude=./build -cf - . | tar -C "$VR_STAGE/repo" -xf -
	if [ -d "$shared/data" ]; then
		mkdir -p "$VR_STAGE/shared"
		cp -a "$shared/data" "$VR_STAGE/shared/"
		chmod -R u+w "$VR_STAGE/shared"
	fi
	chown -R "$VR_USER": "$VR_STAGE"
	exec runuser -u "$VR_USER" -- env VECRAG_SHARED="$VR_STAGE/shared" VECRAG_DATA="$VECRAG_DATA" \
		HOME="$VR_STAGE" PGVER="$PGVER" PG_CONFIG="$PG_CONFIG" \
		bash "$VR_STAGE/repo/$script" "$@"
}

vr_prepare_data()
{
	local shared=$VECRAG_SHARED
	if [ ! -x "$shared/data/get-glove" ]; then
		echo "error: $shared/data not found; ../shared must sit beside the checkout (or set VECRAG_SHARED)" >&2
		return 1
	fi
	command -v npm >/dev/null || vr_need_packages npm || return 1
	mkdir -p "$VECRAG_DATA"
	# one preparer at a time: the getters write fixed temporary names, so
	# two test runs starting together would race on them
	(
		flock 9
		"$shared/data/get-glove" "$VECRAG_DATA" >"$VECRAG_DATA/get-glove.log" 2>&1 ||
			{ echo "error: get-glove failed (it needs the npm registry); see $VECRAG_DATA/get-glove.log" >&2; exit 1; }
		"$shared/data/get-wordnet" "$VECRAG_DATA" >"$VECRAG_DATA/get-wordnet.log" 2>&1 ||
			{ echo "error: get-wordnet failed; see $VECRAG_DATA/get-wordnet.log" >&2; exit 1; }
		chmod -R a+rwX "$VECRAG_DATA"
	) 9>"$VECRAG_DATA/.prepare.lock"
}

vr_private_install()
{
	local dest=$1 d
	rm -rf "$dest"
	for d in "$("$PG_CONFIG" --bindir)" "$("$PG_CONFIG" --pkglibdir)" "$("$PG_CONFIG" --sharedir)"; do
		mkdir -p "$dest$d"
		cp -a "$d/." "$dest$d/"
	done
	make -s -C "$VR_REPO" PG_CONFIG="$PG_CONFIG" install DESTDIR="$dest" >/dev/null
	VR_BINDIR="$dest$("$PG_CONFIG" --bindir)"
	export PATH="$VR_BINDIR:$PATH"
}

vr_start_cluster()
{
	local dir=$1
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		mkdir -p "$dir"
		initdb -D "$dir/data" -U postgres --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; return 1; }
	fi
	mkdir -p "$dir/sock"
	export PGHOST="$dir/sock" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	if ! pg_ctl -D "$dir/data" status >/dev/null 2>&1; then
		pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 120 \
			-o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c port=$PGPORT" \
			start >/dev/null || { tail -n 20 "$dir/server.log" >&2; return 1; }
	fi
}

vr_stop_cluster()
{
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] && pg_ctl -D "$dir/data" -m fast -w stop >/dev/null
	return 0
}
