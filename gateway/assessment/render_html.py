"""The report as one HTML page (``/assessment``): a matrix of cities x checks whose every
cell links to its evidence (the request made, what came back, what was expected)."""

from __future__ import annotations

from html import escape

from gateway.assessment.report import Report

STYLESHEET = "/assessment.css"
CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; margin: 0 0 .2rem; }
p.meta { color: #555; margin: 0 0 1rem; }
table.matrix { border-collapse: collapse; }
table.matrix th, table.matrix td { border: 1px solid #ccc; padding: .25rem .4rem;
  text-align: center; }
table.matrix th.check { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  font-weight: normal; font-size: .8rem; }
table.matrix th.city { text-align: left; }
td.pass { background: #d7f2dd; } td.fail { background: #f8d4d4; }
td.pass a, td.fail a { color: inherit; text-decoration: none; display: block; }
th.must::after { content: " *"; color: #b00; }
td.verdict-meets { color: #17692c; font-weight: 600; }
td.verdict-fails { color: #b00; font-weight: 600; }
section.city { margin-top: 2rem; }
article.outcome { border-left: 4px solid #ccc; padding: .3rem .8rem; margin: .6rem 0; }
article.outcome.pass { border-color: #3a9a51; } article.outcome.fail { border-color: #c33; }
article.outcome:target { background: #fff6cc; }
pre { white-space: pre-wrap; word-break: break-all; background: #f5f5f5; padding: .4rem;
  margin: .2rem 0; max-height: 14rem; overflow: auto; }
dl { margin: 0; } dt { font-weight: 600; margin-top: .3rem; } dd { margin: 0; }
"""


def cell_id(city_id: str, check_id: str) -> str:
    """The fragment of one city's outcome of one check."""
    return f"e-{city_id}-{check_id.replace('.', '-')}"


def render_html(report: Report) -> str:
    """The page; static, no script."""
    profile = report.profile
    checks = report.checks
    head = "".join(
        f'<th class="check{" must" if c.level == "must" else ""}" scope="col" '
        f'title="{escape(c.title)}">{escape(c.id)}</th>'
        for c in checks
    )
    rows = []
    for city in report.cities:
        cells = []
        for c in checks:
            outcome = city.outcomes[c.id]
            mark = "✓" if outcome.passed else "✗"
            cells.append(
                f'<td class="{outcome.status}"><a href="#{cell_id(city.id, c.id)}" '
                f'title="{escape(c.id)}: {escape(outcome.summary)}">{mark}</a></td>'
            )
        meets = not city.failed("must", profile)
        verdict = (
            '<td class="verdict-meets">meets</td>'
            if meets
            else '<td class="verdict-fails">fails</td>'
        )
        rows.append(
            f'<tr><th class="city" scope="row"><a href="#city-{city.id}">{escape(city.name)}</a>'
            f"</th>{''.join(cells)}{verdict}</tr>"
        )
    sections = [_city_section(report, city_index) for city_index in range(len(report.cities))]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Minimum framework assessment</title>"
        f'<link rel="stylesheet" href="{STYLESHEET}"></head><body>'
        f"<h1>{escape(profile.title)}</h1>"
        f'<p class="meta">Profile {escape(profile.name)} {escape(profile.version)}; measured '
        f"{report.generated_at:%Y-%m-%d %H:%M:%S} UTC; * marks a must-check. "
        f'Also as <a href="/assessment.json">JSON</a>; the gateway\'s catalogue: '
        f'<a href="/catalogue.ttl">catalogue.ttl</a>.</p>'
        f'<table class="matrix"><thead><tr><th class="city" scope="col">City</th>{head}'
        f'<th scope="col">must</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f"{''.join(sections)}</body></html>\n"
    )


def _city_section(report: Report, index: int) -> str:
    city = report.cities[index]
    parts = [
        f'<section class="city" id="city-{city.id}"><h2>{escape(city.name)} '
        f"({escape(city.kommunkod)}, {escape(city.kind)})</h2>"
    ]
    for check in report.checks:
        outcome = city.outcomes[check.id]
        evidence = "".join(
            "<dl>"
            f"<dt>Request</dt><dd><pre>{escape(e.request)}</pre></dd>"
            f"<dt>Came back</dt><dd><pre>{escape(e.response)}</pre></dd>"
            f"<dt>Expected</dt><dd><pre>{escape(e.expected)}</pre></dd>"
            "</dl>"
            for e in outcome.evidence
        )
        parts.append(
            f'<article class="outcome {outcome.status}" id="{cell_id(city.id, check.id)}">'
            f"<h3>{escape(check.id)} ({check.level}): {outcome.status}</h3>"
            f"<p>{escape(outcome.summary)}</p>"
            f'<p>Source: <a href="{escape(check.source.url)}">{escape(check.source.name)}</a>. '
            f"Measured: {escape(check.measure)}</p>{evidence}</article>"
        )
    parts.append("</section>")
    return "".join(parts)
