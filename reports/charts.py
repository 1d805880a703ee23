"""The report page's chart: tasks by health colour as SVG bars, with text the browser draws."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from plans.pacing import Health

BARS = [Health.RED, Health.BLUE, Health.YELLOW, Health.GREEN, Health.DONE]


def health_bars_svg(total: dict) -> SafeString:
    counts = [(colour, int(total.get(colour, 0) or 0)) for colour in BARS]
    if not any(n for _, n in counts):
        return format_html("")
    width, label_w, bar_h, gap = 560, 90, 22, 8
    top = max(n for _, n in counts)
    bars = format_html_join(
        "",
        '<text x="{}" y="{}" class="axis" text-anchor="end">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar {}"/>'
        '<text x="{}" y="{}" class="axis">{}</text>',
        (
            (
                label_w - 6,
                i * (bar_h + gap) + bar_h - 6,
                colour.label,
                label_w,
                i * (bar_h + gap),
                round((width - label_w - 60) * n / top, 1),
                bar_h,
                colour.value,
                label_w + round((width - label_w - 60) * n / top, 1) + 4,
                i * (bar_h + gap) + bar_h - 6,
                n,
            )
            for i, (colour, n) in enumerate(counts)
        ),
    )
    height = len(counts) * (bar_h + gap)
    return format_html(
        '<svg class="health-bars" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        width,
        height,
        ", ".join(f"{colour.label} {n}" for colour, n in counts),
        bars,
    )
