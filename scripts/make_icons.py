"""Draws the PWA icons (192, 512 and a maskable 512) with Pillow; run once, the PNGs are committed."""
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "pwa" / "static" / "icons"
BLUE, WHITE, AMBER = (11, 92, 173), (255, 255, 255), (255, 191, 71)


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), BLUE)
    d = ImageDraw.Draw(image)
    pad = size * (0.22 if maskable else 0.12)  # a maskable icon keeps its drawing in the safe circle
    w = size - 2 * pad
    # A location pin over a counter: a report, at the town hall's window.
    cx, top = size / 2, pad
    r = w * 0.28
    d.ellipse((cx - r, top, cx + r, top + 2 * r), fill=WHITE)
    d.polygon([(cx - r * 0.82, top + r * 1.45), (cx + r * 0.82, top + r * 1.45), (cx, top + w * 0.78)], fill=WHITE)
    d.ellipse((cx - r * 0.42, top + r * 0.58, cx + r * 0.42, top + r * 1.42), fill=BLUE)
    d.rounded_rectangle((pad, top + w * 0.84, size - pad, top + w), radius=w * 0.04, fill=AMBER)
    return image


def badge(size: int = 96) -> Image.Image:
    """The status-bar badge: a white pin on transparency (Android draws it in one colour)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    cx, r = size / 2, size * 0.3
    d.ellipse((cx - r, size * 0.1, cx + r, size * 0.1 + 2 * r), fill=WHITE)
    d.polygon([(cx - r * 0.8, size * 0.1 + r * 1.5), (cx + r * 0.8, size * 0.1 + r * 1.5), (cx, size * 0.92)], fill=WHITE)
    d.ellipse((cx - r * 0.4, size * 0.1 + r * 0.6, cx + r * 0.4, size * 0.1 + r * 1.4), fill=(0, 0, 0, 0))
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    draw(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    badge().save(OUT / "badge-96.png", optimize=True)


if __name__ == "__main__":
    main()
