"""The version for the visually impaired, as ГОСТ Р 52872-2019 asks: three font sizes, three colour schemes
(black on white, white on black, dark blue on light blue), images on or off and the letter spacing.

The choices live in one cookie next to the on/off switch (site.LOW_VISION_COOKIE), so they are remembered
on every page and between visits; the pages read them as classes of the <html> element, set by
static/css/site.css. Every choice is a plain link, so the panel works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

VISION_COOKIE = "low_vision_settings"


@dataclass(frozen=True)
class VisionSetting:
    name: str
    label: str
    choices: tuple[tuple[str, str], ...]  # (value, label)
    default: str

    def valid(self, value: str | None) -> bool:
        return value in dict(self.choices)


SETTINGS = (
    VisionSetting("size", "Размер шрифта", (("1", "Крупный"), ("2", "Очень крупный"), ("3", "Наибольший")), "1"),
    VisionSetting("scheme", "Цвета", (("bw", "Чёрным по белому"), ("wb", "Белым по чёрному"),
                                      ("blue", "Тёмно-синим по голубому")), "bw"),
    VisionSetting("images", "Изображения", (("off", "Скрыть"), ("on", "Показать")), "off"),
    VisionSetting("spacing", "Интервал между буквами", (("1", "Обычный"), ("2", "Средний"), ("3", "Большой")), "1"),
)


def read(cookie: str | None) -> dict[str, str]:
    """The chosen values from the cookie («size=2;scheme=wb;…»); anything unknown falls back to the default."""
    chosen = dict(part.split("=", 1) for part in (cookie or "").split(";") if "=" in part)
    return {s.name: chosen[s.name] if s.valid(chosen.get(s.name)) else s.default for s in SETTINGS}


def updated(cookie: str | None, args) -> str:
    """The cookie's value with the valid choices of the query arguments applied."""
    values = read(cookie)
    for setting in SETTINGS:
        if setting.valid(args.get(setting.name)):
            values[setting.name] = args.get(setting.name)
    return ";".join(f"{name}={value}" for name, value in values.items())


def html_classes(values: dict[str, str]) -> str:
    """The classes of <html> that apply the choices («lv-size-2 lv-scheme-wb …»)."""
    return " ".join(f"lv-{name}-{value}" for name, value in values.items())
