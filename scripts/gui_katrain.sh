#!/usr/bin/env bash
# KaTrain with seigen as its analysis engine, for real: installs KaTrain from PyPI into a
# venv of its own, points its custom engine command at `seigen analysis`, opens a short
# 9x9 game under Xvfb, lets KaTrain analyse it (its SGF sweep, then continuous analysis of
# the last position, stopped again: KaTrain's terminate), and saves a screenshot of the
# board with seigen's candidate moves to docs/katrain.png.
#
#   scripts/gui_katrain.sh [SECONDS_OF_CONTINUOUS_ANALYSIS]      (default 20)
#
# Environment: KATRAIN_VENV (default /tmp/katrain-venv), WORK (default /tmp/seigen-katrain:
# KaTrain's home, config, logs), SEIGEN (the seigen executable; default the one in .venv or
# on PATH), SEIGEN_ARGS (default "--player mcts"), OUT (default docs/katrain.png), BACKEND:
# "custom" (default: KaTrain's custom engine command, `$SEIGEN analysis $SEIGEN_ARGS`) or
# "katago" (KaTrain's own KataGo backend with its KataGo path set to $SEIGEN: KaTrain then
# runs `$SEIGEN analysis -model M -config C -override-config K=V`, seigen with its defaults).
# Needs Xvfb, xdotool, xwininfo and ImageMagick, and Mesa's software OpenGL for Kivy;
# as root it installs them with apt-get when they are missing. Exits non-zero when
# KaTrain received no analysis from seigen.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PONDER="${1:-20}"
KATRAIN_VENV="${KATRAIN_VENV:-/tmp/katrain-venv}"
WORK="${WORK:-/tmp/seigen-katrain}"
OUT="${OUT:-$ROOT/docs/katrain.png}"
SEIGEN_ARGS="${SEIGEN_ARGS:---player mcts}"
BACKEND="${BACKEND:-custom}"
if [[ -z "${SEIGEN:-}" ]]; then
  if [[ -x "$ROOT/.venv/bin/seigen" ]]; then SEIGEN="$ROOT/.venv/bin/seigen"; else SEIGEN="$(command -v seigen)"; fi
fi

say() { echo "[gui_katrain] $*" >&2; }

# --- system packages: a virtual X server, a way to type keys, screenshots, software OpenGL
need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v xwininfo >/dev/null || need+=(x11-utils)
command -v import >/dev/null || need+=(imagemagick)
ldconfig -p | grep -q 'libGL.so.1' || need+=(libgl1)
[[ -e /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so || -e /usr/lib/x86_64-linux-gnu/dri/llvmpipe_dri.so ]] ||
  need+=(libgl1-mesa-dri)
ldconfig -p | grep -q 'libmtdev.so.1' || need+=(libmtdev1) # Kivy probes it (only an error line without)
if ((${#need[@]})); then
  say "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- KaTrain in a venv of its own (Kivy's wheels bundle SDL2)
if [[ ! -x "$KATRAIN_VENV/bin/katrain" ]]; then
  say "installing KaTrain into $KATRAIN_VENV"
  python3 -m venv "$KATRAIN_VENV"
  "$KATRAIN_VENV/bin/pip" install -q katrain
fi
say "$("$KATRAIN_VENV/bin/pip" show katrain | grep -E '^(Name|Version)' | tr '\n' ' ')"

# --- KaTrain's config: the custom engine is seigen
rm -rf "$WORK" && mkdir -p "$WORK/home"
ENGINE_CMD="$SEIGEN analysis $SEIGEN_ARGS --log $WORK/seigen.log --verbose"
if [[ "$BACKEND" == katago ]]; then
  # KaTrain appends `analysis -model ... -config ...` to this path; a wrapper adds the log
  printf '#!/bin/sh\nexec %s "$@" --log %s --verbose\n' "$SEIGEN" "$WORK/seigen.log" >"$WORK/seigen-as-katago"
  chmod +x "$WORK/seigen-as-katago"
  ENGINE_CMD="$WORK/seigen-as-katago"
fi
"$KATRAIN_VENV/bin/python" - "$WORK/config.json" "$ENGINE_CMD" "$BACKEND" <<'EOF'
import json, sys
from importlib.resources import files

config = json.loads(files("katrain").joinpath("config.json").read_text())
engine = config["engine"]
if sys.argv[3] == "katago":  # KaTrain's local KataGo backend, its KataGo path at seigen
    engine.update(backend="local", katago=sys.argv[2], altcommand="")
else:  # the custom engine command, run with shell=True
    engine.update(backend="custom", altcommand=sys.argv[2])
engine.update(max_visits=5000, fast_visits=300, max_time=8.0)
config["general"]["debug_level"] = 1  # KaTrain logs every query it sends
config["timer"]["sound"] = False
for mode in ("play", "analyze"):
    config["ui_state"][mode]["analysis_controls"].update(hints=True, ownership=True, eval=True)
config["ui_state"]["restoresize"] = False
json.dump(config, open(sys.argv[1], "w"), indent=4)
EOF
cat >"$WORK/game.sgf" <<'EOF'
(;GM[1]FF[4]SZ[9]KM[7]RU[Chinese]PB[Black]PW[White];B[ee];W[cg];B[gc];W[dc];B[cf];W[fg])
EOF

# --- a free X display, KaTrain on it
N=90
while [[ -e /tmp/.X$N-lock || -e /tmp/.X11-unix/X$N ]]; do N=$((N + 1)); done
export DISPLAY=":$N"
Xvfb "$DISPLAY" -screen 0 1280x900x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB=$!
KATRAIN=""
cleanup() {
  [[ -n "$KATRAIN" ]] && kill "$KATRAIN" 2>/dev/null || true
  kill "$XVFB" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
say "KaTrain on $DISPLAY, engine: $ENGINE_CMD"
(cd "$WORK" && HOME="$WORK/home" exec "$KATRAIN_VENV/bin/katrain" "$WORK/config.json" "$WORK/game.sgf") \
  >"$WORK/katrain.log" 2>&1 &
KATRAIN=$!

wait_for() { # PATTERN FILE SECONDS
  for _ in $(seq "$3"); do
    grep -q "$1" "$2" 2>/dev/null && return 0
    sleep 1
  done
  return 1
}
wait_for "KataGo analysis received" "$WORK/katrain.log" 90 || {
  say "KaTrain received no analysis; see $WORK/katrain.log and $WORK/seigen.log"
  tail -20 "$WORK/katrain.log" >&2
  exit 1
}
WIN=""
for _ in $(seq 30); do
  WIN="$(xwininfo -root -tree | awk '/"KaTrain/ {print $1; exit}')"
  [[ -n "$WIN" ]] && break
  sleep 1
done
[[ -n "$WIN" ]] || { say "no KaTrain window"; exit 1; }
sleep 5                           # the sweep of the game's positions
xdotool key --window "$WIN" End   # to the last move
sleep 2
xdotool key --window "$WIN" space # continuous analysis: maxVisits 10M, partial results every 0.25 s
sleep "$PONDER"
import -window "$WIN" "$WORK/katrain-full.png"
xdotool key --window "$WIN" space # stop it: KaTrain sends terminate
sleep 2

mkdir -p "$(dirname "$OUT")"
convert "$WORK/katrain-full.png" -resize 75% -colors 192 "PNG8:$OUT"
say "screenshot: $OUT ($(du -k "$OUT" | cut -f1) KB)"

# --- what went over the pipe
received=$(grep -c "KataGo analysis received" "$WORK/katrain.log" || true)
partial=$(grep -c '"isDuringSearch":true' "$WORK/seigen.log" || true)
terminate=$(grep -c '"action": "terminate"' "$WORK/seigen.log" || true)
say "KaTrain received $received results ($partial partial ones logged by seigen); terminate queries: $terminate"
say "first query KaTrain sent:"
grep -m1 '<< ' "$WORK/seigen.log" | cut -c1-700 >&2
say "seigen's last complete answer (cut):"
grep '>> ' "$WORK/seigen.log" | grep '"isDuringSearch":false' | tail -1 | cut -c1-700 >&2
if grep -q "Traceback\|Uncaught exception" "$WORK/seigen.log"; then
  say "seigen logged a traceback"
  exit 1
fi
((received > 0))
