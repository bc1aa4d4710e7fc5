#!/usr/bin/env bash
# What a 9x9 Go self-play budget buys with and without a supervised start, and with and
# without playout cap randomization: each variant is a `seigen selfplay --game go --size 9`
# run of MINUTES wall-clock minutes, then its final net (100 visits a move, `--player net`)
# plays GAMES games against GNU Go level LEVEL. A table at the end.
#
#   SL_RUN=runs/sl/go9x9 bash scripts/budget_go.sh          # every variant, 25 minutes each
#   MINUTES=60 VARIANTS="scratch sl" SL_RUN=... bash scripts/budget_go.sh
#
# SL_RUN is a run directory of `seigen train sl --size 9` (the shipped net's recipe is in
# docs/models/go9x9.md); the sl variants copy it and continue it by self-play
# (`seigen selfplay --resume`), AlphaGo's order. Variants (VARIANTS, any of):
#   sl0      the supervised net itself, no self-play (the start the sl variants have);
#   scratch  the go preset from a random net;
#   sl       the supervised net continued by the go preset's self-play, with a learning rate
#            of SL_LR (0.002, where the supervised run's schedule ended) falling to a tenth;
#   sl-pcr   the same with playout cap randomization: a quarter of the moves searched with
#            64 visits and recorded, the rest with 16 and not (KataGo; the preset searches 32);
#   sl-su    sl with KataGo's static score utility, weight 0.1, in the actors' search (the
#            supervised run has no score head training; its self-play trains one).
# MIX (0) is the net player's --mix in the matches: 0 plays the net alone, as these figures did.
# Pin the whole script to cores with taskset to keep a core for other work; the trainer
# gets THREADS (1) torch threads. A variant whose folder holds match.json is skipped; a
# self-play run cut short starts again (its budget is wall-clock), a match cut short resumes.
set -euo pipefail
MINUTES=${MINUTES:-25}
GAMES=${GAMES:-40}
LEVEL=${LEVEL:-1}
PARALLEL=${PARALLEL:-1}
THREADS=${THREADS:-1}
MIX=${MIX:-0}
SL_LR=${SL_LR:-0.002}
OUT=${OUT:-runs/go-budget}
VARIANTS=${VARIANTS:-"sl0 scratch sl sl-pcr"}
GNUGO=${GNUGO:-$(command -v gnugo || echo /usr/games/gnugo)}
mkdir -p "$OUT"

flags() {
  case $1 in
    sl0 | scratch | sl) echo "" ;;
    sl-pcr) echo "--visits 64 --full-search-prob 0.25 --cheap-visits 16" ;;
    sl-su) echo "--score-utility 0.1" ;;
    *) echo "unknown variant: $1 (sl0, scratch, sl, sl-pcr, sl-su)" >&2; exit 2 ;;
  esac
}

for v in $VARIANTS; do
  run=$OUT/$v
  if [ -f "$run/match.json" ]; then echo "== $v: done"; continue; fi
  f=$(flags "$v")
  if [ "$v" != scratch ] && [ ! -f "${SL_RUN:-}/config.json" ]; then
    echo "SL_RUN must name a run directory of seigen train sl (variant $v)" >&2; exit 2
  fi
  if [ ! -f "$run/selfplay.done" ]; then
    if [ -d "$run" ]; then echo "   $run was cut short: starting it again"; rm -rf "$run"; fi
    common=(--max-minutes "$MINUTES" --eval-every 0 --no-final-eval --no-progress --threads "$THREADS")
    case $v in
      sl0) cp -r "$SL_RUN" "$run" ;;
      scratch)
        echo "== $v: seigen selfplay --game go --size 9 (${MINUTES} minutes)"
        seigen selfplay --game go --size 9 --run-dir "$run" "${common[@]}" ;;
      *)
        echo "== $v: $SL_RUN continued by seigen selfplay $f (${MINUTES} minutes)"
        cp -r "$SL_RUN" "$run"
        lr_final=$(python -c "print($SL_LR / 10)")
        # shellcheck disable=SC2086
        seigen selfplay --resume --run-dir "$run" "${common[@]}" --lr "$SL_LR" --lr-final "$lr_final" $f ;;
    esac
    touch "$run/selfplay.done"
  fi
  echo "== $v: 100 visits a move against GNU Go level $LEVEL, $GAMES games"
  resume=$([ -f "$run/match/summary.json" ] && echo --resume || true)
  # shellcheck disable=SC2086
  seigen match --black "seigen gtp --player net --model $run --visits 100 --mix $MIX --threads 1" \
    --white "$GNUGO --mode gtp --level $LEVEL --chinese-rules --positional-superko --capture-all-dead" \
    --games "$GAMES" --size 9 --komi 7 --rules chinese --alternate --parallel "$PARALLEL" \
    --sgf-dir "$run/match" $resume --json > "$run/match.json.tmp"
  mv "$run/match.json.tmp" "$run/match.json"
done

python - "$OUT" $VARIANTS <<'EOF'
import json, sys
from pathlib import Path

out, variants = Path(sys.argv[1]), sys.argv[2:]
print("\n| variant | self-play games | positions | net's step | W-D-L | win rate [95%] |")
print("| --- | ---: | ---: | ---: | --- | --- |")
for v in variants:
    path = out / v / "match.json"
    if not path.exists():
        print(f"| {v} | | | | not run | |")
        continue
    m = json.loads(path.read_text())
    rows = [json.loads(line) for line in open(out / v / "metrics.jsonl")]
    end = next((r for r in reversed(rows) if "false_resigns" in r), None)  # self-play's closing row
    games, positions = (f"{end['games']:,}", f"{end['positions']:,}") if end else ("", "")
    step = max((int(p.stem.split("-")[1]) for p in (out / v / "checkpoints").glob("step-*.pt")), default=0)
    a = m["engines"]["A"]
    print(f"| {v} | {games} | {positions} | {step:,} | {a['wdl']} "
          f"| {a['win_rate']:.2f} [{a['wilson_low']:.2f}, {a['wilson_high']:.2f}] |")
EOF
