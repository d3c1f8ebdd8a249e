"""The repository's policies/, and edited copies of it for tests that start a service on one."""

from __future__ import annotations

import shutil
from pathlib import Path

from api.authz.policy import Authorizer, load_authorizer
from api.catalog.load import load_catalog

POLICIES = Path(__file__).resolve().parent.parent / "policies"


def copy_of_policies(tmp_path: Path, *, edit: dict[str, str]) -> Path:
    """policies/ copied, with whole lines of policy.csv replaced ("" removes one)."""
    copied = tmp_path / "policies"
    shutil.copytree(POLICIES, copied)
    lines = (copied / "policy.csv").read_text().splitlines()
    assert set(edit) <= set(lines), "the edit names a line policy.csv does not have"
    kept = [edit.get(line, line) for line in lines]
    (copied / "policy.csv").write_text("\n".join(line for line in kept if line) + "\n")
    return copied


def authorizer_of(policy_dir: Path) -> Authorizer:
    """The policy of `policy_dir`, checked against the catalog beside it, as a start does."""
    return load_authorizer(policy_dir, load_catalog(policy_dir))
