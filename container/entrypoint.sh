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

"$COMFYUI_PYTHON" "$COMFYUI_DIR/main.py" --listen 127.0.0.1 --port "${COMFYUI_PORT:-8188}" --disable-auto-launch ${COMFYUI_ARGS:-} &
comfyui=$!
$ADAPTER_COMMAND &
adapter=$!

# SageMaker sends SIGTERM on scale-in and update (SIGKILL 30 s later): pass it on to both.
trap 'kill -TERM "$comfyui" "$adapter" 2>/dev/null' TERM INT

wait -n "$comfyui" "$adapter"
status=$?
echo "entrypoint: a supervised process exited with status $status; stopping the container" >&2
kill -TERM "$comfyui" "$adapter" 2>/dev/null
wait
exit "$status"
