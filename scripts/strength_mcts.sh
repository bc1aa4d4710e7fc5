#!/usr/bin/env bash
# Strength of the mcts player (`seigen gtp --player mcts`: UCT with MC-RAVE, prior
# knowledge and heavy playouts, all in C) on 9x9, measured with `seigen match` (colours
# alternated, komi 7, Chinese rules, SGF and summaries kept under $OUT).
#
#   bash scripts/strength_mcts.sh                 # 100 games per pairing
#   GAMES=10 PARALLEL=1 bash scripts/strength_mcts.sh
#   PAIRINGS="gnugo10" bash scripts/strength_mcts.sh
#
# Pairings at 10k simulations/move (PAIRINGS, any of): random; rollout (the flat rollout
# player at 10k playouts/move); puct (the PUCT tree search with light playouts at 10k
# simulations/move, the player --player mcts was before); gnugo1 and gnugo10 (GNU Go 3.8
# at levels 1 and 10, `apt-get install gnugo`).
set -euo pipefail
GAMES=${GAMES:-100}
PARALLEL=${PARALLEL:-1}
VISITS=${VISITS:-10000}
PAIRINGS=${PAIRINGS:-"random rollout puct gnugo1 gnugo10"}
OUT=${OUT:-matches/strength-mcts-$(date +%Y%m%d-%H%M%S)}
GNUGO=${GNUGO:-$(command -v gnugo || echo /usr/games/gnugo)}
gnugo() { echo "$GNUGO --mode gtp --level $1 --chinese-rules --positional-superko --capture-all-dead"; }
COMMON=(--games "$GAMES" --size 9 --komi 7 --rules chinese --alternate --parallel "$PARALLEL" --move-timeout 120)
MCTS="seigen gtp --player mcts --visits $VISITS"

run() {  # name, black, white
  echo "== $1" >&2
  seigen match --black "$2" --white "$3" "${COMMON[@]}" --sgf-dir "$OUT/$1" --json | tee "$OUT/$1.json"
}

mkdir -p "$OUT"
for p in $PAIRINGS; do
  case $p in
    random) run "mcts${VISITS}-vs-random" "$MCTS" "seigen gtp --player random" ;;
    rollout) run "mcts${VISITS}-vs-rollout${VISITS}" "$MCTS" "seigen gtp --player rollout --visits $VISITS" ;;
    puct) run "mcts${VISITS}-vs-puct${VISITS}" "$MCTS" "seigen gtp --player puct --visits $VISITS" ;;
    gnugo1) run "mcts${VISITS}-vs-gnugo1" "$MCTS" "$(gnugo 1)" ;;
    gnugo10) run "mcts${VISITS}-vs-gnugo10" "$MCTS" "$(gnugo 10)" ;;
    *) echo "unknown pairing $p" >&2; exit 2 ;;
  esac
done
