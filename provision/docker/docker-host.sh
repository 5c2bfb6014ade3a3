#!/usr/bin/env bash
# Make this machine a Docker host the project can use: idempotent, safe to run on every `provision` and CI run.
#
#   bash provision/docker/docker-host.sh                               provision (needs root)
#   bash provision/docker/docker-host.sh merge-daemon-json FILE WRAPPER  (tests) merge the runtime into FILE,
#                                                                       print `changed` or `unchanged`
#
# What it does, printing one line per action taken:
#   1. installs Debian's docker.io (with containerd, runc), jq and busybox-static when missing;
#   2. where the capability bounding set lacks CAP_SYS_RESOURCE (bit 24 of CapBnd), installs the runc wrapper
#      runc-nosysresource and makes it dockerd's default runtime in daemon.json (other keys are kept),
#      because Docker 20.10 hands --privileged containers every capability and runc then fails with
#      "unable to apply caps: operation not permitted";
#   3. starts dockerd in the background when no daemon answers; a daemon that answers is never restarted,
#      only reloaded with SIGHUP when daemon.json changed;
#   4. waits (bounded) until `docker info` answers and checks the default runtime.
#
# Environment: CM_VAULT_E2E_DOCKER_WAIT (seconds to wait for the daemon, default 90),
#              CM_VAULT_E2E_DOCKERD_LOG (default /var/log/cm-vault-e2e-dockerd.log).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG=${CM_VAULT_E2E_DOCKERD_LOG:-/var/log/cm-vault-e2e-dockerd.log}
DAEMON_JSON=/etc/docker/daemon.json
WRAPPER=/usr/local/libexec/cm-vault-e2e/runc-nosysresource
RUNTIME=cm-vault-e2e-runc
WAIT=${CM_VAULT_E2E_DOCKER_WAIT:-90}
DOCKERD_PIDFILE=/var/run/docker.pid

say() { echo "docker-host: $*"; }
die() {
  echo "docker-host: error: $*" >&2
  exit 1
}

# merge_daemon_json FILE WRAPPER: register WRAPPER as runtime $RUNTIME and make it the default, keeping every
# other key. Prints `changed` (FILE written) or `unchanged`. Fails on a FILE that is not a JSON object.
merge_daemon_json() {
  local file=$1 wrapper=$2 old new
  old='{}'
  if [[ -f $file ]] && grep -q '[^[:space:]]' "$file"; then
    old=$(jq -e 'if type == "object" then . else error("not a JSON object") end' "$file" 2>/dev/null) ||
      die "$file is not a JSON object; fix it or move it away, then run this again"
  fi
  local current_default
  current_default=$(jq -r '."default-runtime" // ""' <<<"$old")
  if [[ -n $current_default && $current_default != runc && $current_default != "$RUNTIME" ]]; then
    echo "docker-host: note: $file had default-runtime \"$current_default\"; replacing it with \"$RUNTIME\"" >&2
  fi
  new=$(jq --arg name "$RUNTIME" --arg path "$wrapper" \
    '.runtimes = ((.runtimes // {}) + {($name): {path: $path}}) | ."default-runtime" = $name' <<<"$old")
  if [[ -f $file ]] && [[ $(jq -S . <<<"$old") == "$(jq -S . <<<"$new")" ]]; then
    echo unchanged
    return 0
  fi
  mkdir -p "$(dirname "$file")"
  local tmp="$file.cm-vault-e2e.$$"
  printf '%s\n' "$new" >"$tmp"
  mv -f "$tmp" "$file"
  echo changed
}

if [[ ${1:-} == merge-daemon-json ]]; then
  [[ $# -eq 3 ]] || die "usage: $0 merge-daemon-json FILE WRAPPER"
  command -v jq >/dev/null || die "jq is missing: apt-get install -y jq"
  merge_daemon_json "$2" "$3"
  exit 0
fi
[[ $# -eq 0 ]] || die "unknown arguments: $*  (usage: $0)"
[[ $EUID -eq 0 ]] || die "must run as root: sudo bash $0"

started=$(date +%s)
acted=0

# --- 1. packages -----------------------------------------------------------------------------------------
pkgs=()
command -v dockerd >/dev/null || pkgs+=(docker.io)
command -v jq >/dev/null || pkgs+=(jq)
[[ -x /bin/busybox || -x /usr/bin/busybox ]] || pkgs+=(busybox-static)
if ((${#pkgs[@]})); then
  command -v apt-get >/dev/null || die "missing ${pkgs[*]} and no apt-get to install them; install them by hand"
  aptlog=$(mktemp /tmp/cm-vault-e2e-apt.XXXXXX)
  # No service may start while installing: this script starts dockerd itself, with its configuration.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && made_policy=1
    trap 'rm -f "$policy"' EXIT
  fi
  t0=$(date +%s)
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}"; } \
    >"$aptlog" 2>&1; then
    tail -n 20 "$aptlog" | sed 's/^/  apt: /' >&2
    die "apt-get install ${pkgs[*]} failed (full log: $aptlog)"
  fi
  if ((made_policy)); then rm -f "$policy" && trap - EXIT; fi
  rm -f "$aptlog"
  say "installed ${pkgs[*]} with apt-get in $(($(date +%s) - t0))s"
  acted=1
fi
command -v dockerd >/dev/null || die "dockerd is still missing after installing docker.io"
command -v docker >/dev/null || die "the docker client is missing: apt-get install -y docker.io"

# --- 2. runc wrapper where CAP_SYS_RESOURCE cannot be granted ------------------------------------------------
capbnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
[[ -n $capbnd ]] || die "cannot read CapBnd from /proc/self/status"
config_changed=0
need_wrapper=0
if (((16#$capbnd >> 24) & 1)); then :; else
  need_wrapper=1
  if ! cmp -s "$HERE/runc-nosysresource" "$WRAPPER"; then
    install -D -m 0755 "$HERE/runc-nosysresource" "$WRAPPER"
    say "installed runc wrapper $WRAPPER (this host's bounding set lacks CAP_SYS_RESOURCE)"
    acted=1
  fi
  merged=$(merge_daemon_json "$DAEMON_JSON" "$WRAPPER")
  if [[ $merged == changed ]]; then
    say "set default-runtime \"$RUNTIME\" -> $WRAPPER in $DAEMON_JSON"
    config_changed=1
    acted=1
  fi
fi

# --- 3. daemon ---------------------------------------------------------------------------------------------
answers() { timeout 15 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

# The pid of a live local dockerd, from its pid file; empty if none.
dockerd_pid() {
  local pid
  pid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then echo "$pid"; fi
}

wait_for_daemon() { # wait_for_daemon [PID that must stay alive]
  local pid=${1:-} deadline=$((SECONDS + WAIT))
  until answers; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOG" 2>/dev/null | sed 's/^/  dockerd: /' >&2
      die "dockerd (pid $pid) exited while starting; see $LOG"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 20 "$LOG" 2>/dev/null | sed 's/^/  dockerd: /' >&2
      die "no Docker daemon answered within ${WAIT}s; see $LOG"
    fi
    sleep 1
  done
}

if ! answers; then
  pid=$(dockerd_pid)
  if [[ -n $pid ]]; then
    say "waiting for dockerd (pid $pid), which runs but does not answer yet"
  else
    if [[ -e $DOCKERD_PIDFILE ]]; then
      # Left by a dockerd that was killed; dockerd refuses to start if its pid now names another process.
      rm -f "$DOCKERD_PIDFILE"
      say "removed stale $DOCKERD_PIDFILE"
    fi
    mkdir -p "$(dirname "$LOG")"
    # Containers inherit dockerd's open-files limit: take the hard limit.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    setsid dockerd >>"$LOG" 2>&1 </dev/null &
    pid=$!
    say "started dockerd (pid $pid, log $LOG)"
    config_changed=0 # it read the current daemon.json at start
  fi
  acted=1
  wait_for_daemon "$pid"
fi

runtime() { timeout 15 docker info --format '{{.DefaultRuntime}}' 2>/dev/null || true; }

if ((config_changed)) && [[ $(runtime) != "$RUNTIME" ]]; then
  pid=$(dockerd_pid)
  [[ -n $pid ]] || die "$DAEMON_JSON changed but no local dockerd pid is in $DOCKERD_PIDFILE; reload the daemon yourself (kill -HUP <dockerd pid>)"
  kill -HUP "$pid"
  say "reloaded dockerd (pid $pid) with SIGHUP to apply $DAEMON_JSON"
  deadline=$((SECONDS + 30))
  until [[ $(runtime) == "$RUNTIME" ]]; do
    ((SECONDS < deadline)) || die "dockerd (pid $pid) did not take default-runtime \"$RUNTIME\" after SIGHUP; see $LOG and restart dockerd when nothing uses it"
    sleep 1
  done
fi

# --- 4. verify ---------------------------------------------------------------------------------------------
version=$(timeout 15 docker info --format '{{.ServerVersion}}' 2>/dev/null) || die "the Docker daemon stopped answering"
rt=$(runtime)
if ((need_wrapper)) && [[ $rt != "$RUNTIME" ]]; then
  die "dockerd's default runtime is \"$rt\", not \"$RUNTIME\"; privileged containers will fail on this host. It was probably started with --default-runtime or another --config-file: stop that dockerd and run this script again"
fi
if ((acted)); then
  say "ready: dockerd $version answers, default runtime $rt ($(($(date +%s) - started))s)"
else
  say "ok, nothing to do: dockerd $version answers, default runtime $rt"
fi
