#!/usr/bin/env bash
# Strength of the MCTS player (`seigen gtp --player mcts`: batched PUCT tree search with
# light playouts at the leaves) on 9x9, measured with `seigen match` (colours alternated,
# komi 7, Chinese rules, SGF and summaries kept under $OUT).
#
#   bash scripts/strength_mcts.sh                 # 40 games per pairing
#   GAMES=10 PARALLEL=1 bash scripts/strength_mcts.sh
#
# Pairings at 10k simulations/move: mcts vs random; mcts vs the flat rollout player at
# 10k playouts/move; mcts vs GNU Go 3.8 level 1 (`apt-get install gnugo`).
set -euo pipefail
GAMES=${GAMES:-40}
PARALLEL=${PARALLEL:-1}
VISITS=${VISITS:-10000}
OUT=${OUT:-matches/strength-mcts-$(date +%Y%m%d-%H%M%S)}
GNUGO=${GNUGO:-$(command -v gnugo || echo /usr/games/gnugo)}
GNUGO_CMD="$GNUGO --mode gtp --level 1 --chinese-rules --positional-superko --capture-all-dead"
COMMON=(--games "$GAMES" --size 9 --komi 7 --rules chinese --alternate --parallel "$PARALLEL" --move-timeout 60)
MCTS="seigen gtp --player mcts --visits $VISITS"

run() {  # name, black, white
  echo "== $1" >&2
  seigen match --black "$2" --white "$3" "${COMMON[@]}" --sgf-dir "$OUT/$1" --json | tee "$OUT/$1.json"
}

mkdir -p "$OUT"
run "mcts${VISITS}-vs-random" "$MCTS" "seigen gtp --player random"
run "mcts${VISITS}-vs-rollout${VISITS}" "$MCTS" "seigen gtp --player rollout --visits $VISITS"
run "mcts${VISITS}-vs-gnugo1" "$MCTS" "$GNUGO_CMD"
