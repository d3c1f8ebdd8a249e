"""The Casbin policy in `POLICY_DIR`, loaded once at start, and its memoized decisions.

pycasbin re-parses the matcher on every `enforce` (~50-150 µs), so each (role, object, action) is
enforced once per process and remembered; the policy only changes on restart. The memo stays
small: objects and actions come from guards written in code, never from a request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import casbin

from api.authz.agreement import disagreements
from api.authz.roles import known_roles
from api.catalog.model import Catalog
from api.settings import ConfigurationError

MODEL_FILE = "model.conf"
POLICY_FILE = "policy.csv"
GRANTS_ONLY = "some(where (p_eft == allow))"


@dataclass(frozen=True, order=True)
class Permission:
    obj: str
    act: str

    def __str__(self) -> str:
        return f"{self.obj}:{self.act}"


class Authorizer:
    """The policy's decisions, and the catalog it was checked against, whose plans are roles
    (`plans`, lowest first: the first is every signed-in user's, the others are sold)."""

    def __init__(self, enforcer: casbin.Enforcer, catalog: Catalog) -> None:
        self._enforcer = enforcer
        self.catalog = catalog
        self.plans = tuple(plan.code for plan in catalog.plans)
        self._by_role: dict[tuple[str, str, str], bool] = {}
        self._by_roles: dict[tuple[frozenset[str], str, str], bool] = {}
        self._permissions: dict[frozenset[str], list[Permission]] = {}
        self.enforcements = 0  # calls into Casbin, for tests and the benchmark

    def allows(self, roles: frozenset[str], obj: str, act: str) -> bool:
        """Whether any of `roles` (with what they inherit) is granted (obj, act)."""
        key = (roles, obj, act)
        found = self._by_roles.get(key)
        if found is None:
            found = any(self._role_allows(role, obj, act) for role in sorted(roles))
            self._by_roles[key] = found
        return found

    def _role_allows(self, role: str, obj: str, act: str) -> bool:
        key = (role, obj, act)
        found = self._by_role.get(key)
        if found is None:
            self.enforcements += 1
            found = self._by_role[key] = bool(self._enforcer.enforce(role, obj, act))
        return found

    def cheapest_plan(self, obj: str, act: str) -> str | None:
        """The lowest plan whose role may do (obj, act); None when no plan may."""
        return next((p for p in self.plans if self.allows(frozenset({p}), obj, act)), None)

    def permissions(self, roles: frozenset[str]) -> list[Permission]:
        """Everything `roles` may do, inherited grants included, sorted."""
        found = self._permissions.get(roles)
        if found is None:
            granted = {
                Permission(obj, act)
                for role in roles
                for _, obj, act in self._enforcer.get_implicit_permissions_for_user(role)
            }
            found = self._permissions[roles] = sorted(granted)
        return found

    def grants(self) -> list[tuple[str, Permission]]:
        """Each `p` line as (role, permission), as written."""
        return [(sub, Permission(obj, act)) for sub, obj, act in self._enforcer.get_policy()]

    def inheritance(self) -> list[tuple[str, str]]:
        """Each `g` line as (role, the role it inherits from)."""
        return [(role, parent) for role, parent in self._enforcer.get_grouping_policy()]


def load_authorizer(policy_dir: Path, catalog: Catalog) -> Authorizer:
    """Read and check `model.conf` and `policy.csv` against the catalog; refuse to start on
    anything doubtful."""
    model, policy = policy_dir / MODEL_FILE, policy_dir / POLICY_FILE
    missing = [str(path) for path in (model, policy) if not path.is_file()]
    if missing:
        raise ConfigurationError(f"POLICY_DIR={policy_dir}: missing {', '.join(missing)}")
    try:
        enforcer = casbin.Enforcer(str(model), str(policy))
    except Exception as error:  # Casbin raises bare RuntimeErrors, KeyErrors, ...
        raise ConfigurationError(f"POLICY_DIR={policy_dir}: unreadable policy: {error}") from error
    check_policy(enforcer, policy_dir, catalog)
    # Casbin logs every denial at WARNING; a denial is an answer, not a problem.
    enforcer.logger = logging.getLogger("api.authz.casbin")
    enforcer.logger.setLevel(logging.ERROR)
    authorizer = Authorizer(enforcer, catalog)
    problems = disagreements(authorizer, catalog)
    if problems:
        raise ConfigurationError(
            f"{policy_dir}: policy.csv and catalog.toml disagree: " + "; ".join(problems)
        )
    authorizer.enforcements = 0  # count what serving asks, not the start's checks
    return authorizer


def check_policy(enforcer: casbin.Enforcer, policy_dir: Path, catalog: Catalog) -> None:
    effect = enforcer.get_model().model["e"]["e"].value
    if effect != GRANTS_ONLY:
        # A deny rule would make "may this plan do this?" no longer answerable role by role.
        raise ConfigurationError(f"{policy_dir / MODEL_FILE}: the effect must be grants only")
    problems = [f"p line {rule}" for rule in enforcer.get_policy() if len(rule) != 3]
    problems += [f"g line {rule}" for rule in enforcer.get_grouping_policy() if len(rule) != 2]
    named = {rule[0] for rule in enforcer.get_policy()}
    named |= {role for rule in enforcer.get_grouping_policy() for role in rule}
    known = known_roles(plan.code for plan in catalog.plans)
    problems += [f"unknown role {role!r}" for role in sorted(named - known)]
    if problems:
        # An unknown role is a typo that would silently deny; better not to start.
        raise ConfigurationError(f"{policy_dir / POLICY_FILE}: " + "; ".join(problems))
