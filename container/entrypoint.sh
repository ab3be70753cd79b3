#!/usr/bin/env bash
# SageMaker starts the image as `docker run <image> serve`: run ComfyUI on loopback and the
# adapter in front of it, and stop the container as soon as either of them exits.
set -uo pipefail

if [ "${1:-serve}" != "serve" ]; then
  exec "$@"
fi

# Where the image puts things. Unset in the image, so these defaults are what runs there; a
# rehearsal without Docker (scripts/rehearse-endpoint-image.ts) points them at a ComfyUI checkout,
# its interpreter and a locally built adapter bundle, and runs this very file.
COMFYUI_DIR=${COMFYUI_DIR:-/opt/ComfyUI}
COMFYUI_PYTHON=${COMFYUI_PYTHON:-python}
# Word-split on purpose (a command and its arguments); paths in it must not contain spaces.
ADAPTER_COMMAND=${ADAPTER_COMMAND:-node /opt/comfy-exec/endpoint-adapter.mjs}

# Who runs what (issue 25): ComfyUI as COMFYUI_USER, which may write only ComfyUI's own folders
# (output, temp, input, user), and the adapter as ADAPTER_USER, in ComfyUI's group so that it can
# place inputs and remove each execute's files; neither can write the other's code, and ComfyUI
# (prompts run custom nodes' Python) cannot signal, trace or read the adapter. The Dockerfile
# makes both users and has no USER line: SageMaker starts the container as root, which the switch
# needs. Unset: the image's users. Set empty (`COMFYUI_USER=`): no switch for that process, said
# in the log. Not root (a rehearsal outside Docker, or a runtime that starts the image as a user):
# no switch at all, said in the log. Root with a user that does not exist: refuse to start,
# rather than run custom nodes as root unannounced.
COMFYUI_USER=${COMFYUI_USER-comfyui}
ADAPTER_USER=${ADAPTER_USER-comfy-exec}
if [ "$(id -u)" -ne 0 ]; then
  echo "entrypoint: not root (uid $(id -u)): ComfyUI and the adapter both run as $(id -un), no user switch" >&2
  COMFYUI_USER='' ADAPTER_USER=''
else
  for user in "$COMFYUI_USER" "$ADAPTER_USER"; do
    if [ -n "$user" ] && ! id -u "$user" >/dev/null 2>&1; then
      echo "entrypoint: user '$user' does not exist (the image makes comfyui and comfy-exec); set COMFYUI_USER= or ADAPTER_USER= (empty) to run that process as root" >&2
      exit 1
    fi
  done
  [ -n "$COMFYUI_USER" ] || echo "entrypoint: COMFYUI_USER is empty: ComfyUI runs as root" >&2
  [ -n "$ADAPTER_USER" ] || echo "entrypoint: ADAPTER_USER is empty: the adapter runs as root" >&2
fi

# run_as USER COMMAND...: replaces this (sub)shell with COMMAND, as USER when one is named: its
# uid, primary and supplementary groups and HOME; no_new_privs, so setuid files cannot lift it back.
run_as() {
  local user=$1
  shift
  [ -n "$user" ] || exec "$@"
  exec setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --init-groups --no-new-privs \
    env HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" LOGNAME="$user" "$@"
}

# umask 0002: the folders ComfyUI makes (output/videos/, ...) stay writable to its group, so the
# adapter can remove the files in them too. ComfyUI's stdout and stderr reach the log group with
# every line prefixed "[comfyui] ": a prompt can make ComfyUI print anything (a node id, a file
# name), and no such line may pass for one of the adapter's JSON lines, which GetExecuteLogs
# selects by their prompt_id field. Lines are cut every 3,000 characters (at most 12 KB), each
# piece prefixed: a log pipeline that splits long lines (Docker's at 16 KB) then never makes an
# unprefixed piece.
(umask 0002 && exec > >(exec sed -u -e 's/.\{3000\}/&\n[comfyui] /g' -e 's/^/[comfyui] /') 2>&1 && run_as "$COMFYUI_USER" "$COMFYUI_PYTHON" "$COMFYUI_DIR/main.py" --listen 127.0.0.1 --port "${COMFYUI_PORT:-8188}" --disable-auto-launch ${COMFYUI_ARGS:-}) &
comfyui=$!
(run_as "$ADAPTER_USER" $ADAPTER_COMMAND) &
adapter=$!

# SageMaker sends SIGTERM on scale-in and update (SIGKILL 30 s later): pass it on to both.
trap 'kill -TERM "$comfyui" "$adapter" 2>/dev/null' TERM INT

wait -n "$comfyui" "$adapter"
status=$?
echo "entrypoint: a supervised process exited with status $status; stopping the container" >&2
kill -TERM "$comfyui" "$adapter" 2>/dev/null
wait
exit "$status"
