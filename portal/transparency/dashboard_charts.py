"""The dashboard's charts: small bar charts drawn on the server as SVG, with no JavaScript and
no inline style (the CSP allows neither), so a chart library is not needed: pygal's output
embeds a script and style attributes, and its accessible parts (title, desc, a table of the
same numbers) would have to be added around it anyway (docs/transparency.md says more).

Each chart has a ``<title>`` and a ``<desc>`` that says the trend in words and which way the
months run, ``role="img"`` with ``aria-labelledby``, a value printed on every bar (the colour
carries no meaning), and the same points the page's table beside it shows. In a right-to-left
language the oldest month stands on the right, as the reader reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.core.i18n import babel_locale

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 22, 44


@dataclass
class Point:
    key: str  # "YYYY-MM"
    label: str  # the month in the reader's language
    value: float | None
    text: str  # the value as the table shows it ("—" for none)


@dataclass
class Chart:
    ident: str
    title: str
    points: list[Point]
    percent: bool = False
    rtl: bool = False

    @property
    def desc(self) -> str:
        return describe(self)

    @property
    def svg(self) -> Markup:
        return render(self)


def month_label(key: str, skeleton: str = "yMMM") -> str:
    year, month = key.split("-")
    return format_skeleton(skeleton, date(int(year), int(month), 1), locale=babel_locale())


def value_text(value: float | None, percent: bool = False, decimals: bool = False) -> str:
    if value is None:
        return "—"
    if percent:
        return format_percent(value)
    return format_decimal(value, "#,##0.0" if decimals else "#,##0")


def chart(ident: str, title: str, series: list[tuple[str, float | None]], percent: bool = False,
          decimals: bool = False, rtl: bool = False) -> Chart:
    points = [Point(k, month_label(k), v, value_text(v, percent, decimals)) for k, v in series]
    return Chart(ident, title, points, percent, rtl)


def describe(c: Chart) -> str:
    known = [p for p in c.points if p.value is not None]
    months = (_("The months run from right to left, the oldest on the right.") if c.rtl
              else _("The months run from left to right, the oldest on the left."))
    if not known:
        return " ".join((_("No figures in these 12 months."), months))
    if len(known) == 1:
        only = known[0]
        return " ".join((_("Only %(month)s has a figure: %(value)s.", month=only.label, value=only.text),
                         months))
    first, last = known[0], known[-1]
    top = max(known, key=lambda p: p.value)
    params = {"first": first.text, "start": first.label, "last": last.text, "end": last.label,
              "top": top.text, "top_month": top.label}
    if last.value > first.value:
        trend = _("It rose from %(first)s in %(start)s to %(last)s in %(end)s; the highest was %(top)s, "
                  "in %(top_month)s.", **params)
    elif last.value < first.value:
        trend = _("It fell from %(first)s in %(start)s to %(last)s in %(end)s; the highest was %(top)s, "
                  "in %(top_month)s.", **params)
    else:
        trend = _("It was %(first)s in %(start)s and %(last)s in %(end)s; the highest was %(top)s, "
                  "in %(top_month)s.", **params)
    return " ".join((trend, months))


def _scale_top(c: Chart) -> float:
    if c.percent:
        return 1.0
    most = max((p.value for p in c.points if p.value is not None), default=0) or 1
    step = 10 ** max(len(str(int(most))) - 1, 0)
    return -(-most // step) * step  # rounded up to a round number


def render(c: Chart) -> Markup:
    n = max(len(c.points), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    bar_w = slot * 0.6
    top = _scale_top(c)
    base_y = TOP + plot_h
    parts = [Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="100%" '
        'role="img" aria-labelledby="{i}-title {i}-desc" focusable="false">'
        '<title id="{i}-title">{t}</title><desc id="{i}-desc">{d}</desc>').format(
        w=WIDTH, h=HEIGHT, i=c.ident, t=c.title, d=c.desc)]
    for fraction in (0, 0.5, 1):
        y = base_y - fraction * plot_h
        label = value_text(top * fraction, c.percent)
        parts.append(Markup(
            '<line x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}" stroke="#767676" stroke-width="{sw}" '
            'stroke-dasharray="{dash}"/>'
            '<text x="{tx}" y="{ty:.1f}" font-size="11" text-anchor="end" fill="currentColor">{label}</text>'
        ).format(x1=LEFT, x2=WIDTH - RIGHT, y=y, sw=1 if fraction == 0 else 0.5,
                 dash="none" if fraction == 0 else "4 3", tx=LEFT - 4, ty=y + 4, label=label))
    for i, p in enumerate(c.points):
        position = n - 1 - i if c.rtl else i
        cx = LEFT + slot * position + slot / 2
        show_year = i == 0 or p.key.endswith("-01")
        month = month_label(p.key, "MMM")
        parts.append(Markup('<g class="chart-point" data-month="{k}" data-value="{v}">').format(
            k=p.key, v="" if p.value is None else repr(round(p.value, 6))))
        if p.value is not None:
            h = max(min(p.value / top, 1), 0) * plot_h
            parts.append(Markup(
                '<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="#1d4f91" '
                'stroke="#0b0c0c" stroke-width="0.5"/>').format(x=cx - bar_w / 2, y=base_y - h,
                                                                bw=bar_w, h=h))
            value_y = base_y - h - 4
        else:
            value_y = base_y - 4
        parts.append(Markup(
            '<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="middle" fill="currentColor" '
            'class="chart-value">{t}</text>').format(x=cx, y=value_y, t=p.text))
        parts.append(Markup(
            '<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="middle" fill="currentColor">{m}</text>'
        ).format(x=cx, y=base_y + 16, m=month))
        if show_year:
            parts.append(Markup(
                '<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="middle" fill="currentColor">{yr}'
                '</text>').format(x=cx, y=base_y + 32, yr=p.key[:4]))
        parts.append(Markup("</g>"))
    parts.append(Markup("</svg>"))
    return Markup("").join(escape(p) for p in parts)


def charts(figures, rtl: bool = False) -> list[Chart]:
    """The dashboard's charts for one scope's ``dashboard.ScopeFigures``."""
    months = figures.months

    def series(get):
        return [(m.key, get(m)) for m in months]

    return [
        chart("chart-response", _("Response rate"), series(lambda m: m.tracker.response_rate),
              percent=True, rtl=rtl),
        chart("chart-resolution", _("Resolution rate"), series(lambda m: m.tracker.resolution_rate),
              percent=True, rtl=rtl),
        chart("chart-satisfaction", _("Satisfaction rate"), series(lambda m: m.tracker.satisfaction_rate),
              percent=True, rtl=rtl),
        chart("chart-on-time", _("On-time rate"), series(lambda m: m.tracker.on_time_rate),
              percent=True, rtl=rtl),
        chart("chart-first-response", _("Median hours to first response"),
              series(lambda m: m.tracker.median_response_hours), decimals=True, rtl=rtl),
        chart("chart-disclosure", _("Disclosure requests answered on time"),
              series(lambda m: _rate(m.disclosure)), percent=True, rtl=rtl),
        chart("chart-proposals", _("Proposals published"),
              series(lambda m: m.participation["proposals"]), rtl=rtl),
        chart("chart-halls", _("Halls opened"), series(lambda m: m.participation["halls"]), rtl=rtl),
        chart("chart-votes", _("Votes cast"), series(lambda m: m.participation["ballots"]), rtl=rtl),
    ]


def _rate(d: dict) -> float | None:
    return d["on_time"] / d["answered"] if d.get("answered") else None
