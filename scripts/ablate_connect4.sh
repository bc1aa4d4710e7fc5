#!/usr/bin/env bash
# KataGo's self-play techniques (Wu 2019) measured on Connect Four, where the solver gives
# an exact yardstick: each variant is a `seigen selfplay --game connect4` run from scratch
# with the same wall-clock budget, then its final net's move accuracy on solved positions
# (`seigen eval --positions --seed 7`, the 1,000 positions of the README's Connect Four
# figures, with 100 visits and with the raw policy). A table at the end.
#
#   bash scripts/ablate_connect4.sh                      # every variant, 12 minutes each
#   MINUTES=30 VARIANTS="preset pcr" bash scripts/ablate_connect4.sh
#
# Variants (VARIANTS, any of), each the connect4 preset plus:
#   preset   nothing (the yardstick);
#   pcr      playout cap randomization: a quarter of the moves searched with 64 visits and
#            recorded, the rest with 16 and not (32 visits a move on average, as the preset);
#   opp      the opponent's next move as an auxiliary policy target (--opponent-policy);
#   decided  cheap, unrecorded searches (8 visits) once a game's root value passes +-0.9;
#   resign   resignation below -0.9, a fifth of the games played out to count false ones.
# EXTRA holds flags added to every variant: the table of 2026-12-05 in the README ran
# before the preset played random openings, so EXTRA="--random-opening 0" repeats it.
# A variant whose run has an eval.json is skipped, so the script picks up where it was
# stopped; a run cut short starts again (its budget is wall-clock). Runs go under $OUT.
set -euo pipefail
MINUTES=${MINUTES:-12}
POSITIONS=${POSITIONS:-1000}
OUT=${OUT:-runs/c4-ablation}
VARIANTS=${VARIANTS:-"preset pcr opp decided resign"}
EXTRA=${EXTRA:-}
mkdir -p "$OUT"

flags() {
  case $1 in
    preset) echo "" ;;
    pcr) echo "--visits 64 --full-search-prob 0.25 --cheap-visits 16" ;;
    opp) echo "--opponent-policy" ;;
    decided) echo "--decided-value 0.9 --cheap-visits 8" ;;
    resign) echo "--resign-threshold -0.9 --resign-off-fraction 0.2" ;;
    *) echo "unknown variant: $1 (preset, pcr, opp, decided, resign)" >&2; exit 2 ;;
  esac
}

for v in $VARIANTS; do
  f=$(flags "$v")
  run=$OUT/$v
  if [ -f "$run/eval.json" ]; then echo "== $v: done"; continue; fi
  echo "== $v: seigen selfplay --game connect4 $f $EXTRA (${MINUTES} minutes)"
  if [ -d "$run" ]; then echo "   $run was cut short: starting it again"; rm -rf "$run"; fi
  # shellcheck disable=SC2086
  seigen selfplay --game connect4 --run-dir "$run" --max-minutes "$MINUTES" --eval-every 0 --no-final-eval --no-progress $f $EXTRA
  seigen eval "$run" --positions "$POSITIONS" --seed 7 --games 0 --json > "$run/eval.json.tmp"
  mv "$run/eval.json.tmp" "$run/eval.json"
done

python - "$OUT" $VARIANTS <<'EOF'
import json, sys
from pathlib import Path

out, variants = Path(sys.argv[1]), sys.argv[2:]
print("\n| variant | games | positions | steps | false resignations | accuracy, 100 visits | accuracy, raw policy |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for v in variants:
    path = out / v / "eval.json"
    if not path.exists():
        print(f"| {v} | | | | | not run | |")
        continue
    c4 = json.loads(path.read_text())["connect4"]
    rows = [json.loads(line) for line in open(out / v / "metrics.jsonl")]
    end = next(r for r in reversed(rows) if "false_resigns" in r)  # the session's closing summary
    fr = f"{end['false_resigns']} of {end['resign_checked']}" if end["resign_checked"] else ""
    print(
        f"| {v} | {end['games']:,} | {end['positions']:,} | {end['steps']:,} | {fr} "
        f"| {c4['accuracy']:.3f} | {c4['policy_accuracy']:.3f} |"
    )
EOF
