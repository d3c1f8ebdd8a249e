"""What validating a document costs: the doubling-fragment document for N = 10…40 (and 200) and
the schema's largest legitimate query, validated as the schema validates them (graphql-core's
rules, Strawberry's two, and the limits), before (Strawberry's QueryDepthLimiter) and after
(api/graphql/limits.py), in alternating rounds. No cache: every round validates afresh.

The budget: the worst of these documents validates in under 5 ms (median of the rounds) with the
rules the service runs.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema, get_introspection_query, parse, specified_rules
from graphql.validation import ASTValidationRule
from strawberry.extensions import QueryDepthLimiter
from strawberry.schema.schema import validate_document

from api.graphql.limits import DEFAULT_LIMITS, limits_rule
from api.graphql.schema import build_schema
from bench.environment import record
from bench.guards import QUERY as EVERY_GUARDED_FIELD

BUDGET_MS = 5.0
ROUNDS = 25
LEVELS = (10, 12, 14, 16, 20, 25, 30, 35, 40, 200)  # 200: past the token limit, so never served
# Dev's introspection is measured for the record only: graphql-core's own rules over its ~230
# fields are all of its time, alike before and after.
UNBUDGETED = "GraphiQL introspection (dev)"
# Before, the work doubles with each level: 16 takes ~0.1 s a round, 18 ~0.5 s, 40 never ends.
BEFORE_MAX_LEVELS = 16
BEFORE_CAP_SECONDS = 2.0  # one slower round and the rest of that document's rounds are skipped

Rules = tuple[type[ASTValidationRule], ...]
BEFORE: Rules = (*specified_rules, *QueryDepthLimiter(max_depth=10).validation_rules)
AFTER: Rules = (*specified_rules, limits_rule(DEFAULT_LIMITS))


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next one twice: `levels` short lines that expand to
    2^levels selections of `plans { id }`."""
    chain = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels - 1)]
    return "\n".join(["{ ...F0 }", *chain, f"fragment F{levels - 1} on Query {{ plans {{ id }} }}"])


def documents() -> dict[str, str]:
    found = {f"fragments N={n}": fragment_bomb(n) for n in LEVELS}
    found["largest query (bench/guards.py)"] = EVERY_GUARDED_FIELD
    found[UNBUDGETED] = get_introspection_query(
        specified_by_url=True, directive_is_repeatable=True, input_value_deprecation=True
    )
    return found


@dataclass
class Side:
    rules: Rules
    seconds: list[float]
    outcome: list[str]
    capped: bool = False

    def measure(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        # As timeit does: no collection of another measurement's garbage inside this one.
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            errors = validate_document(schema, document, self.rules)
            self.seconds.append(time.perf_counter() - started)
        finally:
            gc.enable()
        self.outcome = [str((e.extensions or {}).get("code", e.message)) for e in errors]
        self.capped = self.seconds[-1] > BEFORE_CAP_SECONDS

    def summary(self) -> dict[str, Any]:
        ms = sorted(s * 1000 for s in self.seconds)
        return {
            "median_ms": round(statistics.median(ms), 3),
            "min_ms": round(ms[0], 3),
            "max_ms": round(ms[-1], 3),
            "runs": len(ms),
            "refused_with": self.outcome or None,
        }


def sides(name: str) -> dict[str, Side]:
    found = {"after": Side(AFTER, [], [])}
    levels = int(name.split("=")[1]) if name.startswith("fragments") else 0
    if levels <= BEFORE_MAX_LEVELS:
        found["before"] = Side(BEFORE, [], [])
    return found


def measure(schema: GraphQLSchema, texts: dict[str, str]) -> dict[str, dict[str, Side]]:
    parsed = {name: parse(text) for name, text in texts.items()}
    results = {name: sides(name) for name in texts}
    for round_ in range(ROUNDS):
        for name, document in parsed.items():
            # Alternate which side goes first, so drift in the machine falls on both alike.
            order: Sequence[Side] = list(results[name].values())
            for side in order if round_ % 2 == 0 else reversed(order):
                if not side.capped:
                    side.measure(schema, document)
    return results


def report(texts: dict[str, str], results: dict[str, dict[str, Side]]) -> dict[str, Any]:
    table: dict[str, dict[str, Any]] = {
        name: {"bytes": len(texts[name].encode()), "in_budget": name != UNBUDGETED}
        | {label: side.summary() for label, side in results[name].items()}
        for name in texts
    }
    budgeted = [name for name in table if name != UNBUDGETED]
    worst = max(budgeted, key=lambda name: table[name]["after"]["median_ms"])
    worst_ms = table[worst]["after"]["median_ms"]
    return {
        "load_average_1_5_15": [round(load, 2) for load in os.getloadavg()],
        "limits": {"max_depth": DEFAULT_LIMITS.max_depth, "max_cost": DEFAULT_LIMITS.max_cost},
        "rounds": ROUNDS,
        "documents": table,
        "worst_after": {"document": worst, "median_ms": worst_ms},
        "budget_ms": BUDGET_MS,
        "within_budget": worst_ms < BUDGET_MS,
    }


def print_table(result: dict[str, Any]) -> None:
    for name, row in result["documents"].items():
        before = row.get("before", {}).get("median_ms")
        shown = f"{before:9.3f}" if before is not None else "        -"
        after = row["after"]
        refused = ",".join(after["refused_with"] or ["passes"])
        print(f"  {name:34} before {shown} ms   after {after['median_ms']:7.3f} ms  {refused}")


async def main() -> int:
    texts = documents()
    result = report(texts, measure(build_schema()._schema, texts))
    path = record("validation", result)
    print_table(result)
    worst = result["worst_after"]
    print(
        f"validation: worst document {worst['document']!r} {worst['median_ms']} ms (median of "
        f"{ROUNDS}), budget {BUDGET_MS:.0f} ms; recorded in {path}"
    )
    return 0 if result["within_budget"] else 1
