"""Retention in a chain: how much of what a step was given its answer keeps.

A step's input is what the chain carried into its prompt: the filled-in `{{input}}`,
`{{previous}}` and `{{history}}` its template uses (the template's own words are the same
for every chain and say nothing about the chain). Its key terms are the input's content
words: lower-cased, three letters or more, not a number and not a stopword, the KEY_TERMS
most frequent (ties: first seen first). Retention is the share of those key terms that
appear in the step's output. A step whose template uses none of the chain's values has no
retention (None).

The input is rebuilt from the plan (templates, chain inputs) and the outputs of the chain's
earlier steps, so the session file need not store prompts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from workbench.core.analysis.results import StepRetention
from workbench.core.analysis.text import words
from workbench.core.plan import CHAIN_VARIABLES, Plan, chain_variables, template_variables
from workbench.core.records import Sample

KEY_TERMS = 20
_CI = 0.95
# Common English function words: never key terms.
_STOPWORD_TEXT = """
    about above after again against all also although among and any are aren't around
    because been before being below between both but can cannot could did does doing down
    during each either else even ever every few for from further had has have having her here
    hers herself him himself his how however into its itself just least less let like may
    might more most much must near neither nor not now off once one only onto other ought our
    ours ourselves out over own per quite rather same shall she should since some such than
    that the their theirs them themselves then there these they this those though through thus
    too toward under until upon very via was were what when where whether which while who whom
    whose why will with within without would yet you your yours yourself yourselves"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def key_terms(text: str, limit: int = KEY_TERMS) -> list[str]:
    """The `limit` most frequent content words of `text` (see the module docstring)."""
    counts = Counter(
        w
        for w in (t.lower() for t in words(text))
        if len(w) >= 3 and not w.isdigit() and w not in STOPWORDS
    )
    return [term for term, _ in counts.most_common(limit)]  # most_common keeps first-seen order


def retention(carried: str, output: str) -> float | None:
    """Share of the key terms of `carried` that appear in `output` (None: no key terms)."""
    terms = key_terms(carried)
    if not terms:
        return None
    said = {w.lower() for w in words(output)}
    return sum(term in said for term in terms) / len(terms)


def _carried(plan: Plan, step: int, chain_input: str, outputs: list[str]) -> str | None:
    spec = plan.steps[step - 1]
    used = [
        name
        for name in template_variables(spec.user + "\n" + (spec.system or ""))
        if name in CHAIN_VARIABLES
    ]
    if not used:
        return None
    values = chain_variables(chain_input, outputs)
    return "\n\n".join(values[name] for name in used)


def _chains(samples: Sequence[Sample]) -> dict[int, dict[int, Sample]]:
    retried = {s.retry_of for s in samples if s.retry_of is not None}
    chains: dict[int, dict[int, Sample]] = {}
    for sample in samples:
        if sample.chain is not None and sample.id not in retried:
            chains.setdefault(sample.chain, {})[sample.cell.step] = sample
    return chains


def chain_retention(
    plan: Plan, samples: Sequence[Sample], *, resamples: int = 2000, seed: int = 0
) -> list[StepRetention]:
    """Mean retention per level and step over the chains whose steps so far all succeeded,
    with a percentile-bootstrap CI over chains. Empty for a plan that is not a chain."""
    if plan.run.mode != "chain" or not plan.steps:
        return []
    values: dict[tuple[int, int], list[float]] = {}
    for steps in _chains(samples).values():
        outputs: list[str] = []
        for step in range(1, len(plan.steps) + 1):
            sample = steps.get(step)
            if sample is None or sample.outcome != "ok":
                break
            first = steps.get(1, sample)
            carried = _carried(plan, step, plan.chain_input(first.repetition), outputs)
            if carried is not None:
                share = retention(carried, sample.text)
                if share is not None:
                    values.setdefault((sample.cell.level, step), []).append(share)
            outputs.append(sample.text)
    rng = np.random.default_rng(seed)
    result: list[StepRetention] = []
    for (level, step), shares in sorted(values.items()):
        data = np.array(shares)
        low = high = None
        if data.size >= 3:
            means = rng.choice(data, size=(resamples, data.size)).mean(axis=1)
            low = float(np.quantile(means, (1 - _CI) / 2))
            high = float(np.quantile(means, 1 - (1 - _CI) / 2))
        result.append(
            StepRetention(
                level=level,
                step=step,
                chains=int(data.size),
                mean=float(data.mean()),
                ci_low=low,
                ci_high=high,
                ci_level=_CI,
            )
        )
    return result
