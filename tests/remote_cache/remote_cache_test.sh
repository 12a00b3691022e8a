#!/usr/bin/env bash
# The remote cache (.bazelrc's --config=remote-cache) works against a real
# HTTP cache: nginx (Debian's, WebDAV PUT) on loopback. A first Bazel, with
# nothing cached anywhere, builds //tests/remote_cache/fixture:lib and
# uploads its results; a second Bazel with an empty output base of its own
# builds it again and must take every action from the cache, executing
# none. Both are separate batch-mode instances on the real source tree
# with no disk cache, so the cache server is the only way a result can pass
# from one to the other.
set -uo pipefail
nginx_bin=$(realpath "$1")
root=$(dirname "$(realpath WORKSPACE)")
base=${TEST_TMPDIR:-$(mktemp -d)}
target=//tests/remote_cache/fixture:lib

fail() {
  echo "FAIL: $*" >&2
  [ -f "$base/nginx/error.log" ] && tail -5 "$base/nginx/error.log" >&2
  exit 1
}

# A free loopback port (the kernel picks one, the socket closes at once).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$base/nginx/tmp" "$base/cache"
cat >"$base/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
error_log $base/nginx/error.log;
pid $base/nginx/nginx.pid;
events { worker_connections 64; }
http {
  access_log $base/nginx/access.log;
  client_body_temp_path $base/nginx/tmp/body;
  proxy_temp_path $base/nginx/tmp/proxy;
  fastcgi_temp_path $base/nginx/tmp/fastcgi;
  uwsgi_temp_path $base/nginx/tmp/uwsgi;
  scgi_temp_path $base/nginx/tmp/scgi;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$port;
    root $base/cache;
    location / {
      dav_methods PUT;
      create_full_put_path on;
    }
  }
}
CONF
"$nginx_bin" -p "$base/nginx" -c "$base/nginx/nginx.conf" &
nginx_pid=$!
trap 'kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || fail "nginx did not start"
  sleep 0.1
done

# One Bazel with an output base of its own under $base/$1 (and no
# bazel-* links in the source tree, which belong to the outer Bazel);
# prints its "N processes: ..." line.
build() {
  local out
  out=$(cd "$root" && HOME="$base/home-$1" bazel --batch --output_user_root="$base/$1" \
    build --color=no --noshow_progress --symlink_prefix=/ --disk_cache= --config=remote-cache \
    --remote_cache="http://127.0.0.1:$port/cache" "$target" 2>&1) || {
    echo "$out" | tail -20 >&2
    fail "the $1 build of $target failed"
  }
  grep -m1 -E '[0-9]+ processes?:' <<<"$out" || fail "no process summary in the $1 build's output"
}

first=$(build first)
echo "first build (nothing cached): $first"
grep -q "remote cache hit" <<<"$first" && fail "the first build found results in an empty cache"
entries=$(find "$base/cache" -type f | wc -l)
[ "$entries" -gt 0 ] || fail "the first build uploaded nothing"
echo "the cache holds $entries entries after it"

second=$(build second)
echo "second build (a fresh output base): $second"
hits=$(grep -o -E '[0-9]+ remote cache hit' <<<"$second" | grep -o -E '^[0-9]+')
[ "${hits:-0}" -ge 2 ] || fail "the second build took ${hits:-0} actions from the cache, wanted both compiles"
grep -q -E 'processwrapper-sandbox|local|linux-sandbox' <<<"$second" &&
  fail "the second build executed actions instead of taking them from the cache"
gets=$(grep -c '"GET /cache/[a-z]*/[0-9a-f]* HTTP/1.1" 200' "$base/nginx/access.log")
puts=$(grep -c '"PUT /cache/' "$base/nginx/access.log")
echo "ok: $hits actions from the cache; nginx answered $puts uploads and $gets downloads"
