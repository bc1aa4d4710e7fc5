#!/usr/bin/env bash
# Strength of the rollout player on 9x9, measured with `seigen match` (colours alternated,
# komi 7, Chinese rules, SGF and summaries kept under $OUT).
#
#   bash scripts/strength_rollout.sh              # 100 games per pairing
#   GAMES=20 PARALLEL=1 bash scripts/strength_rollout.sh
#
# Pairings: rollout (10k playouts/move) vs random; rollout at 10k and 50k playouts/move
# vs GNU Go 3.8 level 1 (`apt-get install gnugo`).
set -euo pipefail
GAMES=${GAMES:-100}
PARALLEL=${PARALLEL:-2}
OUT=${OUT:-matches/strength-$(date +%Y%m%d-%H%M%S)}
GNUGO=${GNUGO:-$(command -v gnugo || echo /usr/games/gnugo)}
GNUGO_CMD="$GNUGO --mode gtp --level 1 --chinese-rules --positional-superko --capture-all-dead"
COMMON=(--games "$GAMES" --size 9 --komi 7 --rules chinese --alternate --parallel "$PARALLEL" --move-timeout 60)

run() {  # name, black, white
  echo "== $1" >&2
  seigen match --black "$2" --white "$3" "${COMMON[@]}" --sgf-dir "$OUT/$1" --json | tee "$OUT/$1.json"
}

mkdir -p "$OUT"
run rollout10k-vs-random "seigen gtp --player rollout --visits 10000" "seigen gtp --player random"
run rollout10k-vs-gnugo1 "seigen gtp --player rollout --visits 10000" "$GNUGO_CMD"
run rollout50k-vs-gnugo1 "seigen gtp --player rollout --visits 50000" "$GNUGO_CMD"
