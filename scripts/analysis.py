"""``seigen analysis``: KataGo's JSON analysis-engine protocol on stdin/stdout.

KaTrain starts KataGo as ``KATAGO analysis -model M -config C -override-config K=V``;
``katago_argv`` turns those single-dash arguments into seigen's own options, so the same
command line starts seigen (``-model`` names a KataGo network, which is ignored).
"""

from __future__ import annotations

import sys

from seigen.scripts.configs import AnalysisConfig

# KataGo's arguments of ``katago analysis`` and the AnalysisConfig options they become.
KATAGO_OPTIONS = {
    "-model": "--katago-model",
    "-config": "--katago-config",
    "-override-config": "--override-config",
    "-human-model": "--human-model",
    "-analysis-threads": "--analysis-threads",
}
KATAGO_FLAGS = {"-quit-without-waiting": "--quit-without-waiting"}
# The KataGo settings seigen reads from -config and -override-config.
KATAGO_SETTINGS = ("reportAnalysisWinratesAs", "maxVisits", "maxTime", "analysisPVLen")


def katago_argv(args: list[str]) -> list[str]:
    """KataGo's single-dash arguments (``-model X``) as seigen's options (``--katago-model X``)."""
    out = []
    for arg in args:
        name, eq, value = arg.partition("=")
        if name in KATAGO_OPTIONS:
            out.append(KATAGO_OPTIONS[name] + eq + value)
        elif arg in KATAGO_FLAGS:
            out.append(KATAGO_FLAGS[arg])
        else:
            out.append(arg)
    return out


def katago_settings(config_file: str | None, overrides: str | None) -> dict[str, str]:
    """``KEY = VALUE`` lines of a KataGo config file, then ``KEY=VALUE,...`` overrides over them.

    Raises ``OSError`` for a file that cannot be read and ``ValueError`` for a line that is
    not ``KEY = VALUE``."""
    settings: dict[str, str] = {}
    if config_file is not None:
        with open(config_file, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                text = line.split("#", 1)[0].strip()
                if not text or text.startswith("@"):  # blank, comment, @include (not followed)
                    continue
                key, eq, value = text.partition("=")
                if not eq or not key.strip():
                    raise ValueError(f"{config_file}:{number}: expected KEY = VALUE, got {line.strip()!r}")
                settings[key.strip()] = value.strip()
    for item in (overrides or "").split(","):
        if not item.strip():
            continue
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise ValueError(f"-override-config: expected KEY=VALUE, got {item.strip()!r}")
        settings[key.strip()] = value.strip()
    return settings


def defaults_from(cfg: AnalysisConfig, settings: dict[str, str], net: bool):
    """What queries get when they do not say: the options, then the KataGo settings, then seigen's defaults.

    Raises ``ValueError`` for a KataGo setting seigen reads but cannot parse."""
    from seigen.engine.analysis import Defaults, parse_perspective

    def number(key: str, kind: type, low: float) -> float | None:
        if key not in settings:
            return None
        try:
            value = kind(settings[key])
        except ValueError:
            raise ValueError(f"KataGo setting {key} = {settings[key]!r} is not a number") from None
        if not value >= low:
            raise ValueError(f"KataGo setting {key} = {settings[key]!r} is out of range")
        return value

    visits = cfg.visits or number("maxVisits", int, 1) or (800 if net else 10_000)
    max_time = cfg.max_time or number("maxTime", float, 1e-9)
    pv_len = cfg.pv_len or number("analysisPVLen", int, 1) or 15
    perspective = cfg.report_as or parse_perspective(settings.get("reportAnalysisWinratesAs", "SIDETOMOVE"))
    return Defaults(visits=int(visits), max_time=max_time, perspective=perspective, pv_len=int(pv_len))


def main(cfg: AnalysisConfig) -> int:
    """Build the player and serve the analysis protocol until the end of input."""
    from seigen.scripts.gtp import engine_logging, one_line

    root = engine_logging(cfg.log, cfg.verbose)

    from seigen.agents.players import make_player
    from seigen.engine.analysis import AnalysisServer

    net = cfg.player == "net"
    uses_net = cfg.player in ("net", "hybrid")
    try:
        settings = katago_settings(cfg.katago_config, cfg.override_config)
        defaults = defaults_from(cfg, settings, net)
    except (OSError, ValueError) as e:
        print(f"seigen analysis: error: {one_line(e)}", file=sys.stderr)
        return 2
    if uses_net:
        import torch

        torch.set_num_threads(cfg.threads)
    try:
        player = make_player(
            cfg.player,
            playouts=defaults.visits,
            threads=cfg.threads,
            seed=cfg.seed,
            evaluator=cfg.evaluator,
            playout=cfg.playout,
            c_puct=cfg.c_puct,
            model=cfg.model,
            device=cfg.device,
            uct=cfg.uct,
            parallel=cfg.parallel,
            priors=cfg.prior,
            mix=cfg.mix,
            guide=cfg.guide,
            precision=cfg.precision,
        )
    except ValueError as e:
        print(f"seigen analysis: error: {one_line(e)}", file=sys.stderr)
        return 2
    if cfg.model is not None and not uses_net:
        root.warning("--model is used by --player net and hybrid only; the %s player ignores it", cfg.player)
    if cfg.katago_model or cfg.human_model:
        root.info(
            "ignoring KataGo's network %s: seigen cannot read KataGo networks",
            cfg.katago_model or cfg.human_model,
        )
    unused = sorted(k for k in settings if k not in KATAGO_SETTINGS)
    if unused:
        root.info("KataGo settings seigen does not use: %s", ", ".join(unused))
    server = AnalysisServer(
        player,
        sys.stdin.buffer,
        sys.stdout,
        defaults=defaults,
        score_playouts=cfg.score_playouts,
        max_moves=cfg.max_moves,
        seed=cfg.seed,
        wait_on_eof=not cfg.quit_without_waiting,
    )
    root.info(
        "seigen analysis ready: %s player, %d visits, %s view, reading JSON queries on stdin",
        cfg.player,
        defaults.visits,
        defaults.perspective,
    )
    server.serve()
    return 0
