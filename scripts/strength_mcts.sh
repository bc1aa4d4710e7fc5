#!/usr/bin/env bash
# Strength of the mcts player (`seigen gtp --player mcts`: UCT with MC-RAVE, prior
# knowledge and heavy playouts, all in C) on 9x9, measured with `seigen match` (colours
# alternated, komi 7, Chinese rules, SGF and summaries kept under $OUT).
#
#   bash scripts/strength_mcts.sh                 # 100 games per pairing
#   GAMES=10 PARALLEL=1 bash scripts/strength_mcts.sh
#   PAIRINGS="gnugo10" bash scripts/strength_mcts.sh
#
# Pairings (PAIRINGS, any of), at 10k simulations/move (VISITS) unless said:
#   random; rollout (the flat rollout player at 10k playouts/move); puct (the PUCT tree
#   search with light playouts, the player --player mcts was before); gnugo1, gnugo10
#   (GNU Go 3.8 at levels 1 and 10, `apt-get install gnugo`);
#   gnugo10-time: mcts at MOVE_TIME (2) seconds a move, one thread, against GNU Go level 10;
#   threads: mcts on 2 threads against itself on 1, both at MOVE_TIME seconds a move (give
#     the machine 3 free cores, or the engines think in turn on 2);
#   norave, light, nopriors: the ablations, the full player against itself without RAVE
#     (plain UCT, c_ucb 0.2), with light playouts, or with no prior but the even one, both
#     at ABLATION_VISITS (3000) simulations a move;
#   double, root-sims, shared-sims: what twice the simulations are worth, all at fixed
#     simulations (so a busy machine changes nothing): one thread at 2 x ABLATION_VISITS
#     against one thread at ABLATION_VISITS; the same 2 x ABLATION_VISITS on 2 root-parallel
#     trees; and on 2 threads sharing one tree;
#   gnugo10-19: 19x19, mcts at MOVE_TIME_19 (10) seconds a move on 2 threads against GNU Go
#     level 10, GAMES_19 (20) games;
#   hybrid-sims, hybrid-time, hybrid-gnugo10: the hybrid player (mcts guided by the 9x9 net
#     that ships with seigen, or MODEL; GUIDE: its --guide items) against mcts at
#     ABLATION_VISITS simulations a move each, against mcts at MOVE_TIME seconds a move each
#     (one thread each: the net's time counts), and against GNU Go level 10 at MOVE_TIME.
# A pairing whose folder under $OUT already holds games is resumed (`seigen match --resume`):
# run the script again with the same OUT to finish what a crash or Ctrl-C cut short.
set -euo pipefail
GAMES=${GAMES:-100}
PARALLEL=${PARALLEL:-1}
VISITS=${VISITS:-10000}
MOVE_TIME=${MOVE_TIME:-2}
ABLATION_VISITS=${ABLATION_VISITS:-3000}
MOVE_TIME_19=${MOVE_TIME_19:-10}
GAMES_19=${GAMES_19:-20}
PAIRINGS=${PAIRINGS:-"random rollout puct gnugo1 gnugo10 gnugo10-time threads norave light nopriors"}
OUT=${OUT:-matches/strength-mcts-$(date +%Y%m%d-%H%M%S)}
GNUGO=${GNUGO:-$(command -v gnugo || echo /usr/games/gnugo)}
gnugo() { echo "$GNUGO --mode gtp --level $1 --chinese-rules --positional-superko --capture-all-dead"; }
COMMON=(--games "$GAMES" --size 9 --komi 7 --rules chinese --alternate --parallel "$PARALLEL" --move-timeout 120)
MCTS="seigen gtp --player mcts --visits $VISITS"
HYBRID="seigen gtp --player hybrid${MODEL:+ --model $MODEL}${GUIDE:+ --guide $GUIDE}"

resume() {  # folder: --resume when it holds a match already
  if [ -f "$1/summary.json" ]; then echo --resume; fi
}

run() {  # name, black, white
  echo "== $1" >&2
  seigen match --black "$2" --white "$3" "${COMMON[@]}" --sgf-dir "$OUT/$1" $(resume "$OUT/$1") --json | tee "$OUT/$1.json"
}

mkdir -p "$OUT"
for p in $PAIRINGS; do
  case $p in
    random) run "mcts${VISITS}-vs-random" "$MCTS" "seigen gtp --player random" ;;
    rollout) run "mcts${VISITS}-vs-rollout${VISITS}" "$MCTS" "seigen gtp --player rollout --visits $VISITS" ;;
    puct) run "mcts${VISITS}-vs-puct${VISITS}" "$MCTS" "seigen gtp --player puct --visits $VISITS" ;;
    gnugo1) run "mcts${VISITS}-vs-gnugo1" "$MCTS" "$(gnugo 1)" ;;
    gnugo10) run "mcts${VISITS}-vs-gnugo10" "$MCTS" "$(gnugo 10)" ;;
    gnugo10-time) run "mcts${MOVE_TIME}s-vs-gnugo10" "seigen gtp --player mcts --move-time $MOVE_TIME" "$(gnugo 10)" ;;
    threads) run "mcts${MOVE_TIME}s-2threads-vs-1thread" "seigen gtp --player mcts --move-time $MOVE_TIME --threads 2" \
      "seigen gtp --player mcts --move-time $MOVE_TIME" ;;
    norave | light | nopriors)
      FULL="seigen gtp --player mcts --visits $ABLATION_VISITS"
      case $p in
        norave) LESS="$FULL --uct rave=false c_ucb=0.2" ;;
        light) LESS="$FULL --playout light" ;;
        nopriors) LESS="$FULL --prior all=off even=10,0.5" ;;
      esac
      run "mcts${ABLATION_VISITS}-vs-$p" "$FULL" "$LESS" ;;
    double | root-sims | shared-sims)
      ONE="seigen gtp --player mcts --visits $ABLATION_VISITS"
      TWICE="seigen gtp --player mcts --visits $((2 * ABLATION_VISITS))"
      case $p in
        double) run "mcts$((2 * ABLATION_VISITS))-vs-mcts${ABLATION_VISITS}" "$TWICE" "$ONE" ;;
        root-sims) run "mcts$((2 * ABLATION_VISITS))-2root-vs-mcts${ABLATION_VISITS}" "$TWICE --threads 2" "$ONE" ;;
        shared-sims) run "mcts$((2 * ABLATION_VISITS))-2shared-vs-mcts${ABLATION_VISITS}" "$TWICE --threads 2 --parallel shared" "$ONE" ;;
      esac ;;
    gnugo10-19)
      name="mcts${MOVE_TIME_19}s-vs-gnugo10-19x19"
      echo "== $name" >&2
      seigen match --black "seigen gtp --player mcts --move-time $MOVE_TIME_19 --threads 2" --white "$(gnugo 10)" \
        --games "$GAMES_19" --size 19 --komi 7.5 --rules chinese --alternate --move-timeout 300 --startup-timeout 120 \
        --sgf-dir "$OUT/$name" $(resume "$OUT/$name") --json | tee "$OUT/$name.json" ;;
    hybrid-sims) run "hybrid${ABLATION_VISITS}-vs-mcts${ABLATION_VISITS}" "$HYBRID --visits $ABLATION_VISITS" \
      "seigen gtp --player mcts --visits $ABLATION_VISITS" ;;
    hybrid-time) run "hybrid${MOVE_TIME}s-vs-mcts${MOVE_TIME}s" "$HYBRID --move-time $MOVE_TIME" \
      "seigen gtp --player mcts --move-time $MOVE_TIME" ;;
    hybrid-gnugo10) run "hybrid${MOVE_TIME}s-vs-gnugo10" "$HYBRID --move-time $MOVE_TIME" "$(gnugo 10)" ;;
    *) echo "unknown pairing $p" >&2; exit 2 ;;
  esac
done
