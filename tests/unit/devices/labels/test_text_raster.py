"""Vietnamese tag text printed as graphics: the job's bitmap is the preview's text, dot for dot.

Where the cases come from:
  * Vietnamese orthography: six tones, written on a vowel as no mark
    (ngang), grave (huyền, U+0300), acute (sắc, U+0301), hook above (hỏi,
    U+0309), tilde (ngã, U+0303) and dot below (nặng, U+0323); the twelve
    vowel letters a ă â e ê i o ô ơ u ư y.  The table is generated from
    that rule with Unicode NFC composition, not from the code's output.
  * Resident fonts: ZPL font 0 and the TSPL/EZPL ROM fonts cover printable
    ASCII (0x20–0x7E) only, so only lines made of it may be sent as text.
  * Graphic commands: ZPL II Programming Guide ^GF (hex, 1 = dot), TSC TSPL
    BITMAP (raw, 0 = dot), GoDEX EZPL Q (raw); see printer_parsers.py, which
    turns each back into rows with 1 = dot on its own.
  * zplkit, a ZPL renderer from PyPI, draws the ZPL job as a printer would.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from app.devices.labels import JewelleryTag, layout_tag, load_template, render_image, render_job
from app.devices.labels.layout import PlacedText
from app.devices.labels.text_raster import needs_raster, raster_for
from tests.unit.devices.labels.printer_parsers import Field, Job, _cut_payloads, parse_ezpl, parse_tspl, parse_zpl

DPIS = (203, 300)
LANGUAGES = ("zpl", "tspl", "ezpl")
PARSERS = {"zpl": lambda data, dpi: parse_zpl(data), "tspl": parse_tspl, "ezpl": parse_ezpl}

TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # ngang, huyền, sắc, hỏi, ngã, nặng
VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def toned(vowel: str) -> list[str]:
    return [unicodedata.normalize("NFC", vowel + tone) for tone in TONES]


# The names, a name with every tone on several vowels, and "₫" among ASCII.
NAMES = (
    "Nhẫn trơn 9999",
    "Dây chuyền",
    "Lan Hoàng Yến Mỹ Ngọc Khải Tú",  # ngang (Lan), huyền (à), sắc (ế, ú), ngã (ỹ), nặng (ọ), hỏi (ả)
    "Lắc tay 350.000 ₫",  # ASCII digits and "₫" (U+20AB) on one line
)


def tag(product: str, price: int | None = 12_345_000) -> JewelleryTag:
    return JewelleryTag("Tiệm vàng Kim Phát", "75000001", product, "9999", 3_750, 0, 150_000, price)


def is_printable_ascii(text: str) -> bool:
    return all(0x20 <= ord(char) <= 0x7E for char in text)


def dark(image, x: int, y: int) -> bool:
    return image.getpixel((x, y)) < 128


def assert_bitmap_is_the_preview(bitmap: Field, image) -> None:
    """Every dot of the job's graphic, padding included, equals the preview pixel at the same place."""
    inked = 0
    for row in range(bitmap.height):
        for column in range(bitmap.row_bytes * 8):
            x, y = bitmap.x + column, bitmap.y + row
            ink = bitmap.ink(column, row)
            inked += ink
            if x >= image.width:
                assert not ink, f"ink past the label edge at {x},{y}"
                continue
            assert dark(image, x, y) == ink, f"dot {x},{y}: job {'ink' if ink else 'white'}, preview differs"
    assert inked, "a graphic with no ink"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template_name", ("rat_tail_75x10", "plain_40x30"))
def test_non_ascii_lines_are_graphics_equal_to_the_preview(language: str, dpi: int, name: str,
                                                            template_name: str) -> None:
    the_tag, template = tag(name), load_template(template_name)
    job: Job = PARSERS[language](render_job(the_tag, template, language, dpi), dpi)
    image = render_image(the_tag, template, dpi)
    lines = layout_tag(the_tag, template, dpi).texts

    # ASCII lines stay text in the resident font; every other line is a graphic, nothing is folded.
    assert sorted(f.data for f in job.texts) == sorted(t.text for t in lines if is_printable_ascii(t.text))
    graphic_lines = [t for t in lines if not is_printable_ascii(t.text)]
    assert len(job.bitmaps) == len(graphic_lines) and graphic_lines
    assert name in {t.text for t in graphic_lines}  # the product name's own line
    for bitmap, line in zip(sorted(job.bitmaps, key=lambda f: f.y), sorted(graphic_lines, key=lambda t: t.y),
                            strict=True):
        # Drawn where the template puts the line: from its left edge, within its character cell
        # (stacked marks such as "ẫ" may rise a little above the cell).
        assert line.x <= bitmap.x <= line.x + line.height
        assert line.y - line.height // 2 <= bitmap.y and bitmap.y + bitmap.height <= line.y + line.height + 1
        assert_bitmap_is_the_preview(bitmap, image)
    if language == "tspl":
        assert {f.extra["mode"] for f in job.bitmaps} == {"1"}  # OR: white never erases a bar


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_without_a_font_the_commands_are_pure_ascii(language: str, dpi: int) -> None:
    data = render_job(tag("Nhẫn trơn 9999"), load_template("plain_40x30"), language, dpi)
    if language == "zpl":
        commands = data  # ^GFA carries its dots as hex
    else:
        # TSPL BITMAP / EZPL Q payloads are binary by definition; the printer reads them by length.
        header = rb"BITMAP (\d+),(\d+),(\d+),(\d+),([012])," if language == "tspl" else rb"Q(\d+),(\d+),(\d+),(\d+)\r\n"
        commands, payloads = _cut_payloads(data, re.compile(header))
        assert payloads
    assert commands.isascii(), commands[[byte >= 0x80 for byte in commands].index(True):][:40]


@pytest.mark.parametrize("language, font", [("zpl", "E:DEJAVU.TTF"), ("tspl", "DEJAVU.TTF"), ("ezpl", "A")])
def test_a_printer_font_gets_every_line_as_text(language: str, font: str) -> None:
    job = PARSERS[language](render_job(tag("Nhẫn trơn 9999"), load_template("plain_40x30"), language, 203,
                                       font=font), 203)
    assert not job.bitmaps
    assert "Nhẫn trơn 9999" in {f.data for f in job.texts}


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("vowel", VOWELS)
def test_each_tone_leaves_its_own_dots(vowel: str, dpi: int) -> None:
    """The six tones of a vowel give six different pictures at the tag's smallest text (the rat-tail lines)."""
    height = layout_tag(tag("x"), load_template("rat_tail_75x10"), dpi).texts[1].height
    pictures = []
    for syllable in toned(vowel) + toned(vowel.upper()):
        raster = raster_for(PlacedText(8, 30, height, syllable), 600, 120)
        assert raster is not None
        pictures.append((raster.x, raster.y, raster.width, raster.height, raster.rows))
    assert len(set(pictures[:6])) == 6 and len(set(pictures[6:])) == 6


@pytest.mark.parametrize("template_name", ("rat_tail_75x10", "plain_40x30"))
@pytest.mark.parametrize("dpi", DPIS)
def test_zplkit_draws_the_job_as_the_preview(template_name: str, dpi: int) -> None:
    """A real ZPL renderer: no refused glyph, the bars decode, the text graphics land on the preview's dots."""
    import zplkit
    import zxingcpp
    from PIL import Image

    the_tag, template = tag("Lan Hoàng Yến Mỹ Ngọc Khải Tú"), load_template(template_name)
    data = render_job(the_tag, template, "zpl", dpi)
    # zplkit 0.3 draws labels and refuses ^PQ (how many copies), which changes no dot.
    assert data.count(b"^PQ1\n") == 1
    document = zplkit.render(data.replace(b"^PQ1\n", b""), zplkit.Options(profile="zd621", dpi=dpi))
    [scene] = document.labels
    raster = scene.rasterize()
    printed = Image.frombytes("L", (raster.width, raster.height), raster.pixels)
    preview = render_image(the_tag, template, dpi)
    assert printed.size == preview.size

    decoded = [result.text for result in zxingcpp.read_barcodes(printed) if result.valid]
    assert the_tag.item_code in decoded
    bitmaps = parse_zpl(data).bitmaps
    assert bitmaps
    for bitmap in bitmaps:
        for row in range(bitmap.height):
            for column in range(min(bitmap.row_bytes * 8, printed.width - bitmap.x)):
                x, y = bitmap.x + column, bitmap.y + row
                assert dark(printed, x, y) == dark(preview, x, y), f"zplkit and the preview differ at {x},{y}"


def test_needs_raster_follows_the_resident_fonts_range() -> None:
    assert not needs_raster("75000001  18K")
    assert not needs_raster("TL: 4,688 g ~ ^ \\ \"")  # every printable ASCII character stays text
    assert not needs_raster("tab\there")  # control whitespace becomes a space in any job
    assert needs_raster("Giá: 12.345.000 ₫")
    assert needs_raster("Nhẫn") and needs_raster("Đá") and needs_raster("é")
    assert needs_raster("\x7f")  # DEL is not printable


def test_a_line_running_off_the_label_is_clipped_to_it() -> None:
    long_line = PlacedText(250, 10, 16, "Dây chuyền vàng trắng Ý 18K mặt đá quý")
    raster = raster_for(long_line, 320, 240)
    assert raster is not None and raster.x + raster.width <= 320
    assert raster_for(PlacedText(330, 10, 16, "Dây"), 320, 240) is None  # wholly off the label: nothing to send
    assert raster_for(PlacedText(10, 10, 16, "   "), 320, 240) is None
