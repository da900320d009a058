"""Benchmark (figures, not a pass/fail test): ``python tests/bench/labels.py``.

How long 1,000 jewellery tags take to render in each printer language and
as PNG/PDF, at 203 and 300 dpi, on the default rat-tail template; and what
verification (render + zxing-cpp decode) costs per tag.  A shop prints a
few hundred tags after a delivery, so anything under a few ms a tag is
invisible next to the printer's own speed (~2 tags/s for rat-tails).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.devices.labels import (  # noqa: E402
    JewelleryTag,
    demo_tag,
    load_template,
    render_ezpl,
    render_pdf,
    render_png,
    render_tspl,
    render_zpl,
    verify_tag,
)


def tags(count: int) -> list[JewelleryTag]:
    base = demo_tag()
    # Different codes and weights, so no cache can hide the work.
    return [JewelleryTag(base.shop_name, f"75{index:06d}", base.product_name, "750",
                         3_750 + index % 500, 0, 350_000) for index in range(count)]


def timed(render: Callable[[JewelleryTag], object], batch: list[JewelleryTag]) -> float:
    started = time.perf_counter()
    for tag in batch:
        render(tag)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tags", type=int, default=1000)
    parser.add_argument("--template", default="rat_tail_75x10")
    args = parser.parse_args()
    template = load_template(args.template)
    batch = tags(args.tags)
    print(f"{args.tags} tags, template {template.name}")
    print(f"{'renderer':<10}{'dpi':>5}{'total s':>10}{'ms/tag':>9}")
    for dpi in (203, 300):
        renderers: dict[str, Callable[[JewelleryTag], object]] = {
            "zpl": lambda tag, dpi=dpi: render_zpl(tag, template, dpi),
            "tspl": lambda tag, dpi=dpi: render_tspl(tag, template, dpi),
            "ezpl": lambda tag, dpi=dpi: render_ezpl(tag, template, dpi),
            "png": lambda tag, dpi=dpi: render_png(tag, template, dpi),
            "pdf": lambda tag, dpi=dpi: render_pdf(tag, template, dpi),
        }
        for name, render in renderers.items():
            seconds = timed(render, batch)
            print(f"{name:<10}{dpi:>5}{seconds:>10.3f}{seconds * 1000 / len(batch):>9.3f}")
        sample = batch[: max(1, len(batch) // 10)]
        seconds = timed(lambda tag, dpi=dpi: verify_tag(tag, template, dpi), sample)
        print(f"{'verify':<10}{dpi:>5}{seconds * len(batch) / len(sample):>10.3f}"
              f"{seconds * 1000 / len(sample):>9.3f}   (extrapolated from {len(sample)})")


if __name__ == "__main__":
    main()
