"""Draw bench/compare.py's results as one PNG (six panels).

matplotlib is not a workspace dependency, so bench/compare.py runs this script in an isolated
environment: ``uv run --isolated --no-project --with matplotlib python bench/compare_chart.py
compare.json compare.png``. It reads only the JSON, so it can redraw old results.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

VARIANTS = {
    "ours": ("agents_temporal", "tab:blue"),
    "ours_storage": ("agents_temporal + payload storage", "lightsteelblue"),
    "theirs": ("published integration", "tab:gray"),
    "theirs_default": ("published integration, untuned server", "silver"),
}


def _bars(
    axes: Any,
    labels: list[str],
    values: dict[str, list[float | None]],
    title: str,
    fmt: str = "%.0f",
) -> None:
    width = 0.8 / len(VARIANTS)
    for offset, (key, (name, colour)) in enumerate(VARIANTS.items()):
        points = [
            (i + (offset - (len(VARIANTS) - 1) / 2) * width, v)
            for i, v in enumerate(values.get(key, []))
            if v is not None
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            bars = axes.bar(xs, ys, width, label=name, color=colour)
            axes.bar_label(bars, fmt=fmt, fontsize=7)
    axes.set_xticks(range(len(labels)), labels, fontsize=8)
    axes.set_title(title, fontsize=10)
    axes.margins(y=0.12)  # room for the bar labels


def _column(entries: list[dict[str, Any]], key: str, name: str) -> list[float | None]:
    return [e[key][name] if key in e else None for e in entries]


def _history(axes: Any, long: dict[str, Any]) -> None:
    for key, run in long.items():
        name, colour = VARIANTS[key]
        kb = [b / 1024 for b in run["history_by_call"]]
        calls = range(1, len(kb) + 1)
        axes.plot(calls, kb, label=f"{name}: history", color=colour)
        if any(run["store_by_call"]):
            store = [b / 1024 for b in run["store_by_call"]]
            axes.plot(calls, store, "--", label=f"{name}: payload store", color=colour)
        if run["failed_at_call"] and kb:
            axes.plot([len(kb)], [kb[-1]], "x", color="tab:red", markersize=10)
            axes.annotate(
                f"{VARIANTS[key][0]} stopped at call {run['failed_at_call']}",
                (len(kb), kb[-1]),
                xytext=(8, -4),
                textcoords="offset points",
                fontsize=8,
            )
    axes.set_yscale("log")
    axes.set_xlabel("model calls")
    axes.set_title("long conversation: cumulative KB (log scale)", fontsize=10)
    axes.legend(fontsize=7)


def _targets(axes: Any, targets: dict[str, dict[str, Any]]) -> None:
    lines = ["Targets (ours / theirs)", ""]
    for label, target in targets.items():
        verdict = "met" if target["met"] else "NOT met"
        ratio = "-" if target["ratio"] is None else f"{target['ratio']:.2f}x"
        lines.append(f"{label}:\n    {ratio} (target {target['target']}) {verdict}")
        if target.get("note"):
            lines.append(f"    {target['note']}")
    axes.axis("off")
    size = 9 if len(targets) <= 6 else 6  # every target fits above the legend
    axes.text(0, 1, "\n".join(lines), va="top", family="monospace", fontsize=size)


def draw(results: dict[str, Any], out: Path) -> None:
    """Latency, throughput, history growth and worker memory, ours beside theirs."""
    matplotlib = importlib.import_module("matplotlib")
    matplotlib.use("Agg")
    pyplot = importlib.import_module("matplotlib.pyplot")
    figure, grid = pyplot.subplots(2, 3, figsize=(16, 8))
    short: list[dict[str, Any]] = results["short"]

    def label(entry: dict[str, Any]) -> str:
        suffix = {"local": "\n(local)", "tools": "\n(tool-heavy)"}.get(entry["mode"], "")
        return f"{entry['concurrency']} conv{suffix}"

    ones = [e for e in short if e["concurrency"] == 1]
    _bars(
        grid[0][0],
        [label(e) for e in ones],
        {key: _column(ones, key, "latency_ms") for key in VARIANTS},
        "latency per model call, 1 conversation (ms, lower is better)",
    )
    _bars(
        grid[0][1],
        [label(e) for e in short],
        {key: _column(short, key, "calls_per_s") for key in VARIANTS},
        "throughput (model calls/s, higher is better)",
    )
    _bars(
        grid[0][2],
        [label(e) for e in short],
        {key: _column(short, key, "worker_cpu_ms") for key in VARIANTS},
        "worker CPU per model call (ms, lower is better)",
        "%.1f",
    )
    _history(grid[1][0], results.get("long", {}))
    memory: dict[str, dict[str, Any]] = results["memory"]
    phases = [p for p in ("activity", "long") if p in memory]
    _bars(
        grid[1][1],
        ["short conversations" if p == "activity" else "long conversation" for p in phases],
        {
            key: [memory[p][key]["peak_rss_mb"] if key in memory[p] else None for p in phases]
            for key in VARIANTS
        },
        "worker peak RSS (MB, lower is better)",
    )
    _targets(grid[1][2], results.get("targets", {}))
    handles, names = grid[0][1].get_legend_handles_labels()
    figure.legend(handles, names, loc="lower center", ncol=len(VARIANTS), fontsize=9)
    cpus = results.get("machine", {}).get("cpus")
    figure.suptitle(f"agents_temporal vs the published integration ({cpus} CPUs)")
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    figure.savefig(out, dpi=90)


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: compare_chart.py RESULTS.json OUT.png")
    draw(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))


if __name__ == "__main__":
    main()
