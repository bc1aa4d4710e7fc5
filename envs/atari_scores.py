"""Reference scores of Atari games: the random and human baselines, and the Atari 100k game lists.

A human-normalized score is ``(score - random) / (human - random)``: 0 plays like uniformly
random actions, 1 like the professional human tester. The baselines are the ones the field
normalizes by (Mnih et al. 2015 and Badia et al. 2020, as tabulated by Dopamine's
``dopamine/labs/atari_100k/normalization_utils.py`` and by ``rliable``); the same numbers
are used by every Atari 100k paper, so seigen's aggregates compare with theirs.

Games are named as in ale-py's ids (``ALE/<Name>-v5``).
"""

from __future__ import annotations

import functools
import json
from importlib import resources

#: The 26 games of the Atari 100k benchmark (Kaiser et al. 2019, "Model-based reinforcement learning for Atari").
ATARI_100K = (
    "Alien",
    "Amidar",
    "Assault",
    "Asterix",
    "BankHeist",
    "BattleZone",
    "Boxing",
    "Breakout",
    "ChopperCommand",
    "CrazyClimber",
    "DemonAttack",
    "Freeway",
    "Frostbite",
    "Gopher",
    "Hero",
    "Jamesbond",
    "Kangaroo",
    "Krull",
    "KungFuMaster",
    "MsPacman",
    "Pong",
    "PrivateEye",
    "Qbert",
    "RoadRunner",
    "Seaquest",
    "UpNDown",
)

#: Atari-5 (Aitchison, Sweetser & Hutter 2022, "Atari-5: distilling the Arcade Learning Environment
#: down to five games"): the subset whose scores best predict the median over all 57 games.
#: Only BattleZone and Qbert are among the Atari 100k games.
ATARI_5 = ("BattleZone", "DoubleDunk", "NameThisGame", "Phoenix", "Qbert")

RANDOM = {
    "Alien": 227.8,
    "Amidar": 5.8,
    "Assault": 222.4,
    "Asterix": 210.0,
    "Asteroids": 719.1,
    "Atlantis": 12850.0,
    "BankHeist": 14.2,
    "BattleZone": 2360.0,
    "BeamRider": 363.9,
    "Berzerk": 123.7,
    "Bowling": 23.1,
    "Boxing": 0.1,
    "Breakout": 1.7,
    "Centipede": 2090.9,
    "ChopperCommand": 811.0,
    "CrazyClimber": 10780.5,
    "DemonAttack": 152.1,
    "DoubleDunk": -18.6,
    "Enduro": 0.0,
    "FishingDerby": -91.7,
    "Freeway": 0.0,
    "Frostbite": 65.2,
    "Gopher": 257.6,
    "Gravitar": 173.0,
    "Hero": 1027.0,
    "IceHockey": -11.2,
    "Jamesbond": 29.0,
    "Kangaroo": 52.0,
    "Krull": 1598.0,
    "KungFuMaster": 258.5,
    "MontezumaRevenge": 0.0,
    "MsPacman": 307.3,
    "NameThisGame": 2292.3,
    "Phoenix": 761.4,
    "Pitfall": -229.4,
    "Pong": -20.7,
    "PrivateEye": 24.9,
    "Qbert": 163.9,
    "Riverraid": 1338.5,
    "RoadRunner": 11.5,
    "Robotank": 2.2,
    "Seaquest": 68.4,
    "Skiing": -17098.1,
    "Solaris": 1236.3,
    "SpaceInvaders": 148.0,
    "StarGunner": 664.0,
    "Tennis": -23.8,
    "TimePilot": 3568.0,
    "Tutankham": 11.4,
    "UpNDown": 533.4,
    "Venture": 0.0,
    "VideoPinball": 0.0,
    "WizardOfWor": 563.5,
    "YarsRevenge": 3092.9,
    "Zaxxon": 32.5,
}

HUMAN = {
    "Alien": 7127.7,
    "Amidar": 1719.5,
    "Assault": 742.0,
    "Asterix": 8503.3,
    "Asteroids": 47388.7,
    "Atlantis": 29028.1,
    "BankHeist": 753.1,
    "BattleZone": 37187.5,
    "BeamRider": 16926.5,
    "Berzerk": 2630.4,
    "Bowling": 160.7,
    "Boxing": 12.1,
    "Breakout": 30.5,
    "Centipede": 12017.0,
    "ChopperCommand": 7387.8,
    "CrazyClimber": 35829.4,
    "DemonAttack": 1971.0,
    "DoubleDunk": -16.4,
    "Enduro": 860.5,
    "FishingDerby": -38.7,
    "Freeway": 29.6,
    "Frostbite": 4334.7,
    "Gopher": 2412.5,
    "Gravitar": 3351.4,
    "Hero": 30826.4,
    "IceHockey": 0.9,
    "Jamesbond": 302.8,
    "Kangaroo": 3035.0,
    "Krull": 2665.5,
    "KungFuMaster": 22736.3,
    "MontezumaRevenge": 4753.3,
    "MsPacman": 6951.6,
    "NameThisGame": 8049.0,
    "Phoenix": 7242.6,
    "Pitfall": 6463.7,
    "Pong": 14.6,
    "PrivateEye": 69571.3,
    "Qbert": 13455.0,
    "Riverraid": 17118.0,
    "RoadRunner": 7845.0,
    "Robotank": 11.9,
    "Seaquest": 42054.7,
    "Skiing": -4336.9,
    "Solaris": 12326.7,
    "SpaceInvaders": 1668.7,
    "StarGunner": 10250.0,
    "Tennis": -8.3,
    "TimePilot": 5229.2,
    "Tutankham": 167.6,
    "UpNDown": 11693.2,
    "Venture": 1187.5,
    "VideoPinball": 17667.9,
    "WizardOfWor": 4756.5,
    "YarsRevenge": 54576.9,
    "Zaxxon": 9173.3,
}


def game_name(env_id: str) -> str:
    """``ALE/Pong-v5`` or ``PongNoFrameskip-v4`` -> ``Pong``; a bare name is returned as it is."""
    name = env_id.removeprefix("ALE/")
    for suffix in ("-v5", "NoFrameskip-v4"):
        name = name.removesuffix(suffix)
    return name


def human_normalized(game: str, score: float) -> float:
    """``(score - random) / (human - random)`` for one game (a ``KeyError`` names an unknown game)."""
    if game not in HUMAN:
        raise KeyError(f"no human and random reference scores for {game!r}")
    return (score - RANDOM[game]) / (HUMAN[game] - RANDOM[game])


#: Published Atari 100k per-game mean scores, by seigen's algorithm name (``der``, ``drq``), each with
#: ``source`` (where the numbers were read), ``scores`` (game -> mean score) and ``aggregates``
#: (human-normalized, as published; intervals only where a source gives them). The runs behind the
#: ``drq`` means are in :func:`published_runs`.
PUBLISHED: dict[str, dict] = {
    "der": {
        "source": (
            "van Hasselt, Hessel & Aslanides 2019 (data-efficient Rainbow), as reprinted in Srinivas et al. "
            "2020 (CURL), Table 2, and in mila-iqia/spr src/rlpyt_utils.py (atari_der_scores); "
            "aggregates: CURL section 6.2"
        ),
        "aggregates": {"median": {"value": 0.161}, "mean": {"value": 0.285}},
        "scores": {
            "Alien": 739.9,
            "Amidar": 188.6,
            "Assault": 431.2,
            "Asterix": 470.8,
            "BankHeist": 51.0,
            "BattleZone": 10124.6,
            "Boxing": 0.2,
            "Breakout": 1.9,
            "ChopperCommand": 861.8,
            "CrazyClimber": 16185.3,
            "DemonAttack": 508.0,
            "Freeway": 27.9,
            "Frostbite": 866.8,
            "Gopher": 349.5,
            "Hero": 6857.0,
            "Jamesbond": 301.6,
            "Kangaroo": 779.3,
            "Krull": 2851.5,
            "KungFuMaster": 14346.1,
            "MsPacman": 1204.1,
            "Pong": -19.3,
            "PrivateEye": 97.8,
            "Qbert": 1152.9,
            "RoadRunner": 9600.0,
            "Seaquest": 354.1,
            "UpNDown": 2877.4,
        },
    },
    "drq": {
        "source": (
            "Agarwal et al. 2021 (DrQ(epsilon), 100 runs per game): the per-game means of the raw runs "
            "published with Micheli et al. 2023 (IRIS), eloialonso/iris results/data/DrQ(eps).json, as in "
            "IRIS Table 1; aggregates from the same runs (as quoted from Schwarzer et al. 2023, BBF, Table A.1)"
        ),
        "aggregates": {"median": {"value": 0.313}, "iqm": {"value": 0.280}, "mean": {"value": 0.465}},
        "scores": {
            "Alien": 865.2,
            "Amidar": 137.8,
            "Assault": 579.6,
            "Asterix": 763.6,
            "BankHeist": 232.9,
            "BattleZone": 10165.3,
            "Boxing": 9.0,
            "Breakout": 19.8,
            "ChopperCommand": 844.6,
            "CrazyClimber": 21539.0,
            "DemonAttack": 1321.5,
            "Freeway": 20.3,
            "Frostbite": 1014.2,
            "Gopher": 621.6,
            "Hero": 4167.9,
            "Jamesbond": 349.1,
            "Kangaroo": 1088.4,
            "Krull": 4402.1,
            "KungFuMaster": 11467.4,
            "MsPacman": 1218.1,
            "Pong": -9.1,
            "PrivateEye": 3.5,
            "Qbert": 1810.7,
            "RoadRunner": 11211.4,
            "Seaquest": 352.3,
            "UpNDown": 4324.5,
        },
    },
}


#: Algorithms whose published runs are kept whole (one final score per training run), and their files
#: under ``seigen/envs/data``. The ``drq`` means in :data:`PUBLISHED` are the means of these runs.
PUBLISHED_RUNS = {"drq": "atari100k-drq-runs.json"}


@functools.cache
def published_runs(algo: str) -> dict[str, tuple[float, ...]]:
    """Game -> the final score of every published training run of ``algo`` (100 a game for DrQ(epsilon),
    Agarwal et al. 2021), or ``{}`` where no runs are published: the spread that a run of seigen's
    is set against, where the means alone would say nothing of how far one seed may stray."""
    if algo not in PUBLISHED_RUNS:
        return {}
    data = json.loads((resources.files("seigen.envs") / "data" / PUBLISHED_RUNS[algo]).read_text())
    return {game: tuple(float(x) for x in runs) for game, runs in data["runs"].items()}
