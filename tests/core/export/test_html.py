"""The HTML report: complete, offline, and inert whatever the model said."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.core.test_journal import journalled_run
from workbench.core.analysis import analyze
from workbench.core.export import ReportPlot, diff_segments, render_html_report
from workbench.core.journal import load_session

HOSTILE = (
    'Sure! <script>alert("x")</script> <img src=x onerror="alert(1)"> '
    '<a href="javascript:alert(2)">click</a> {{ 7*7 }}'
)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: bytes) -> _Page:
    page = _Page()
    page.feed(html.decode("utf-8"))
    return page


async def test_hostile_model_output_is_shown_as_text_and_runs_nothing(
    sim_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "s.jsonl"
    await journalled_run(sim_url, path, model="echo", user=HOSTILE, repetitions=3)
    session = load_session(path)
    html = render_html_report(session, analyze(session.samples))
    page = _parse(html)
    names = [tag for tag, _ in page.tags]
    assert "script" not in names
    assert "img" not in names  # no plots given, and the response's <img> is text
    for _tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs)
        for name in ("href", "src"):
            assert "javascript:" not in (attrs.get(name) or "")
    text = "".join(page.text)
    assert text.count('<script>alert("x")</script>') >= 3  # prompt + responses, as text
    assert "{{ 7*7 }}" in text  # not evaluated as a template either
    csp = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert csp and "default-src 'none'" in (csp[0].get("content") or "")


async def test_report_holds_plan_findings_plots_and_every_cell(
    sim_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "s.jsonl"
    await journalled_run(sim_url, path, concurrency=[1, 2], repetitions=4)
    session = load_session(path)
    plot = ReportPlot("Latency by level", b"\x89PNG\r\n\x1a\nfake", "E2E per request")
    html = render_html_report(session, analyze(session.samples), [plot])
    page = _parse(html)
    text = "".join(page.text)
    assert "Explain TCP slow start" in text
    assert "What changed" in text and "Summary per cell" in text
    assert "c=1" in text and "c=2" in text
    images = [a for t, a in page.tags if t == "img"]
    assert len(images) == 1 and (images[0]["src"] or "").startswith("data:image/png;base64,")
    # Self-contained: nothing is fetched from anywhere.
    for _tag, attrs in page.tags:
        for name in ("href", "src"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), value
    assert len([t for t, a in page.tags if t == "article"]) == 8


def test_diff_segments_mark_added_and_removed_words() -> None:
    segments = diff_segments("the cat sat on the mat", "the dog sat on the mat today")
    added = [s.text.strip() for s in segments if s.kind == "added"]
    removed = [s.text.strip() for s in segments if s.kind == "removed"]
    assert "dog" in added and "today" in added
    assert removed == ["cat"]
    # The response's own text is recovered from "same" and "added" segments.
    assert "".join(s.text for s in segments if s.kind != "removed") == "the dog sat on the mat today"


async def test_report_states_cost_only_when_prices_are_known(
    sim_url: str, tmp_path: Path
) -> None:
    from workbench.core.endpoints import EndpointProfile

    path = tmp_path / "s.jsonl"
    await journalled_run(sim_url, path, repetitions=3)
    session = load_session(path)
    report = analyze(session.samples)

    unpriced = "".join(_parse(render_html_report(
        session, report, prices=lambda _name: EndpointProfile(name="sim"))).text)
    assert unpriced.count("no prices set") == 1 and "$" not in unpriced

    priced_profile = EndpointProfile(name="paid", price_in_per_mtok=1.0,
                                     price_out_per_mtok=2.0)
    priced = "".join(_parse(render_html_report(
        session, report, prices=lambda _name: priced_profile)).text)
    assert "cost $0.0" in priced and "no prices set" not in priced


async def test_an_open_loop_sweep_says_so_in_the_plan(sim_url: str, tmp_path: Path) -> None:
    path = tmp_path / "open.jsonl"
    await journalled_run(sim_url, path, repetitions=3, arrival="open", rate=250.0)
    session = load_session(path)
    text = "".join(_parse(render_html_report(session, analyze(session.samples))).text)
    assert "open loop at 250.0 req/s" in text


async def test_a_chain_report_shows_its_steps_inputs_and_retention(
    sim_url: str, tmp_path: Path
) -> None:
    from workbench.core.analysis import AnalysisOptions
    from workbench.core.events import EventBus
    from workbench.core.journal import SessionJournal
    from workbench.core.plan import plan_from_dict
    from workbench.core.runner import Runner

    plan = plan_from_dict({
        "run": {"mode": "chain", "concurrency": [2], "repetitions": 2},
        "chain": {"inputs": ["TCP slow start", "DNS caching"]},
        "steps": [{"user": "Explain {{input}}."}, {"user": "Shorten: {{previous}}"}],
    })
    path = tmp_path / "chain.jsonl"
    bus = EventBus()
    journal = SessionJournal(path)
    bus.subscribe(journal.on_event)
    await Runner(plan, base_url=sim_url + "/v1", bus=bus).run()
    session = load_session(path)
    report = analyze(session.samples, AnalysisOptions(factor="step"), plan=session.header.plan)
    text = "".join(_parse(render_html_report(session, report)).text)
    assert "chain: concurrency 2 (chains at once) · 4 chains per level" in text
    assert "TCP slow start · DNS caching" in text
    assert "Explain {{input}}." in text and "Shorten: {{previous}}" in text
    assert "Retention per step" in text
    assert "step=1" in text and "step=2" in text
