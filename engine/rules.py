"""Go rules as data: ko rule, suicide, scoring, komi and handicap compensation."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import ClassVar, Literal

KoRule = Literal["simple", "positional", "situational"]
Scoring = Literal["area", "territory"]
Compensation = Literal["none", "n", "n-1"]

KO_RULES = ("simple", "positional", "situational")
SCORINGS = ("area", "territory")
COMPENSATIONS = ("none", "n", "n-1")


@dataclass(frozen=True)
class Rules:
    """One rule set.

    ko: ``simple`` forbids only the immediate recapture of a single-stone ko;
        ``positional`` forbids recreating any earlier board position;
        ``situational`` forbids recreating an earlier position with the same player to move.
    suicide: whether multi-stone suicide is legal (single-stone suicide never is).
    scoring: ``area`` (stones plus surrounded points, Tromp-Taylor) or ``territory``
        (surrounded points plus prisoners; needs dead stones, or estimates them).
    komi: points given to white.
    handicap_compensation: extra points white gets in a handicap game under area
        scoring: ``n`` (one per handicap stone, Chinese), ``n-1`` (AGA) or ``none``.
    """

    ko: KoRule = "simple"
    suicide: bool = False
    scoring: Scoring = "area"
    komi: float = 7.5
    handicap_compensation: Compensation = "none"

    PRESETS: ClassVar[dict[str, dict]] = {
        "chinese": dict(ko="positional", suicide=False, scoring="area", komi=7.5, handicap_compensation="n"),
        "japanese": dict(ko="simple", suicide=False, scoring="territory", komi=6.5),
        "tromp-taylor": dict(ko="positional", suicide=True, scoring="area", komi=7.5),
        "aga": dict(ko="situational", suicide=False, scoring="area", komi=7.5, handicap_compensation="n-1"),
        "nz": dict(ko="situational", suicide=True, scoring="area", komi=7.0),
    }

    def __post_init__(self) -> None:
        if self.ko not in KO_RULES:
            raise ValueError(f"unknown ko rule {self.ko!r}; expected one of {', '.join(KO_RULES)}")
        if self.scoring not in SCORINGS:
            raise ValueError(f"unknown scoring {self.scoring!r}; expected one of {', '.join(SCORINGS)}")
        if self.handicap_compensation not in COMPENSATIONS:
            raise ValueError(
                f"unknown handicap compensation {self.handicap_compensation!r}; "
                f"expected one of {', '.join(COMPENSATIONS)}"
            )
        if (
            isinstance(self.komi, bool)
            or not isinstance(self.komi, int | float)
            or not math.isfinite(self.komi)
        ):
            raise ValueError(f"komi must be a finite number, got {self.komi!r}")

    @classmethod
    def preset(cls, name: str) -> Rules:
        """A named rule set: chinese, japanese, tromp-taylor, aga, nz (case-insensitive)."""
        key = "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())
        aliases = {"tt": "tromp-taylor", "tromptaylor": "tromp-taylor", "new-zealand": "nz"}
        key = aliases.get(key, key)
        if key not in cls.PRESETS:
            raise ValueError(f"unknown rules preset {name!r}; expected one of {', '.join(cls.PRESETS)}")
        return cls(**cls.PRESETS[key])

    def with_komi(self, komi: float) -> Rules:
        return replace(self, komi=float(komi))

    def compensation(self, handicap: int) -> float:
        """Points added to white for ``handicap`` stones under these rules."""
        if handicap < 2 or self.scoring != "area" or self.handicap_compensation == "none":
            return 0.0
        return float(handicap if self.handicap_compensation == "n" else handicap - 1)
