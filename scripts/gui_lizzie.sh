#!/usr/bin/env bash
# seigen in Lizzie, checked for real: Lizzie 0.7.4 (Debian's liblizzie-java) under Xvfb
# with `seigen gtp --player mcts --lizzie` as its engine. It loads a short 9x9 game from
# an SGF, goes to its end (the End key: Lizzie sends the moves as `play`), lets Lizzie
# play seigen's best move twice (the comma key), lets the analysis run and saves a
# screenshot of the window with seigen's candidates (coloured circles with win rate and
# visits; Lizzie's config labels its 8 best, whatever their share of the visits) to
# docs/lizzie.png. The GTP traffic is logged by `seigen gtp --log --verbose`.
#
# Usage: scripts/gui_lizzie.sh [OUT_PNG]   (default docs/lizzie.png)
# Environment: SEIGEN (the seigen executable; default .venv/bin/seigen, else the one on
# PATH), THINK (seconds of analysis before the screenshot; default 20), KEEP (a directory
# to keep Lizzie's config, the SGF and gtp.log in; default a temporary one, removed).
# Installs what is missing with apt-get (liblizzie-java xvfb xdotool imagemagick, a JRE).
# Exits 1 when Lizzie never asks seigen for analysis, sends no moves, or no candidates
# come back.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${1:-docs/lizzie.png}
THINK=${THINK:-20}
SEIGEN=${SEIGEN:-$PWD/.venv/bin/seigen}
[ -x "$SEIGEN" ] || SEIGEN=$(command -v seigen) || { echo "gui_lizzie: no seigen executable (set SEIGEN)" >&2; exit 2; }
SEIGEN=$(realpath "$SEIGEN")

say() { printf 'gui_lizzie: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---- what Lizzie needs: its jar, a JRE with AWT (not headless), Xvfb, xdotool, ImageMagick
missing=()
[ -f /usr/share/java/lizzie.jar ] || missing+=(liblizzie-java)
command -v Xvfb >/dev/null || missing+=(xvfb)
command -v xdotool >/dev/null || missing+=(xdotool)
[ -x /usr/bin/import ] && [ -x /usr/bin/convert ] || missing+=(imagemagick)
ls /usr/lib/jvm/*/lib/libawt_xawt.so >/dev/null 2>&1 || missing+=(default-jre)
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
    say "installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
IMPORT=/usr/bin/import CONVERT=/usr/bin/convert  # ImageMagick's own, whatever PATH holds

# ---- a private home for Lizzie: Debian's Lizzie reads ~/.config/leela-zero/lizzie-config.txt
WORK=${KEEP:-$(mktemp -d)}
mkdir -p "$WORK/home/.config/leela-zero"
LOG=$WORK/gtp.log
rm -f "$LOG"
ENGINE="$SEIGEN gtp --player mcts --lizzie --threads 1 --visits 2000 --log $LOG --verbose"
cat >"$WORK/home/.config/leela-zero/lizzie-config.txt" <<EOF
{
  "leelaz": {"engine-command": "$ENGINE"},
  "ui": {
    "board-size": 9, "resume-previous-game": false, "confirm-exit": false,
    "limit-best-move-num": 8, "min-playout-ratio-for-stats": 0.0
  }
}
EOF
cat >"$WORK/game.sgf" <<'EOF'
(;GM[1]FF[4]SZ[9]KM[7]RU[Chinese];B[ee];W[gc];B[cg];W[gg];B[ec];W[gf])
EOF

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true  # seigen ends by itself at the end of its input, a moment later
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# ---- Xvfb on a free display, then Lizzie with the game (its one argument is an SGF to open)
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" >"$WORK/xvfb.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 40); do [ -s "$WORK/display" ] && break; sleep 0.5; done
[ -s "$WORK/display" ] || die "Xvfb did not start: $(cat "$WORK/xvfb.log")"
DISPLAY=:$(head -1 "$WORK/display")
export DISPLAY
(cd "$WORK" && exec java -Duser.home="$WORK/home" -jar /usr/share/java/lizzie.jar "$WORK/game.sgf") \
    >"$WORK/lizzie.out" 2>&1 &
PIDS+=($!)

wait_for() {  # wait_for SECONDS PATTERN: until the GTP log has a line matching PATTERN
    local end=$((SECONDS + $1))
    until grep -q -- "$2" "$LOG" 2>/dev/null; do
        [ $SECONDS -lt "$end" ] || return 1
        sleep 0.5
    done
}
wait_for 60 "<< [0-9]* lz-analyze" || die "Lizzie never asked for analysis; its output: $(tail -5 "$WORK/lizzie.out")"
WIN=$(timeout 30 xdotool search --sync --onlyvisible --name '^Lizzie' | head -1)
[ -n "$WIN" ] || die "no Lizzie window"
xdotool windowmove "$WIN" 0 0 windowsize "$WIN" 1100 760
sleep 2
xdotool mousemove 1000 650 click 1  # focus, on the panel right of the board (a click on the board plays)
sleep 0.5
xdotool key End  # to the end of the game: Lizzie sends its moves as `play`
wait_for 20 "<< [0-9]* play W G4" || die "Lizzie did not send the game's moves"
for _ in 1 2; do  # Lizzie plays seigen's best candidate
    sleep 6
    xdotool key comma
done
sleep "$THINK"
"$IMPORT" -window "$WIN" "$WORK/window.png"
mkdir -p "$(dirname "$OUT")"
"$CONVERT" "$WORK/window.png" -crop 900x740+0+20 +repage -resize 720x -colors 192 -strip "PNG8:$OUT"

# ---- what went over the wire
plays=$(grep -c "<< [0-9]* play " "$LOG" || true)
infos=$(grep -c ">> info move " "$LOG" || true)
[ "$plays" -ge 8 ] || die "expected the game's 6 moves and 2 of seigen's, saw $plays play commands"
[ "$infos" -gt 0 ] || die "no analysis lines reached Lizzie"
say "$plays moves, $infos analysis lines; screenshot $OUT ($(stat -c %s "$OUT") bytes)"
say "GTP traffic (analysis lines cut):"
grep -E "<< |>> " "$LOG" | grep -v ">> info" | head -40 | sed -E 's/^.* seigen\.gtp: //' >&2
grep ">> info move" "$LOG" | tail -1 | sed -E 's/^.* seigen\.gtp: //' >&2
