from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from csgrants.catalogue.models import Package, PackageAlias, PolicyRate, PolicyVersion, Tariff
from csgrants.core.errors import NotFound, ValidationFailed
from csgrants.core.reference import cached


def _packages_by_name() -> dict[str, Package]:
    """Lower-cased code or former name -> package; a code wins over a former name."""
    by_name = {a.name.lower(): a.package for a in PackageAlias.objects.select_related("package")}
    by_name.update((p.code.lower(), p) for p in Package.objects.all())
    return by_name


def package_resolve(name: str, *, extension: bool | None = None) -> Package:
    """Today's package for a code or a former name, case-insensitively (light -> MEDIUM)."""
    package = cached("packages", _packages_by_name).get((name or "").strip().lower())
    if package is None:
        raise ValidationFailed(
            _("Unknown package %(name)s.") % {"name": repr(name)},
            code="UNKNOWN_PACKAGE",
            field="package",
        )
    if extension is not None and package.is_extension != extension:
        message = (
            _("%(package)s is not an extension package.")
            if extension
            else _("%(package)s is not a main package.")
        )
        raise ValidationFailed(
            message % {"package": package.code}, code="UNKNOWN_PACKAGE", field="package"
        )
    return copy.copy(package)  # the process's copy is shared: callers get their own


def upgrade_allowed(current: Package, target: Package) -> bool:
    """Whether an upgrade leads from the main package `current` to `target`: both on the upgrade
    ladder, `target` higher (START -> MEDIUM -> PLUS; never down, never to Check & plan)."""
    return (
        not target.is_extension
        and current.upgrade_rank is not None
        and target.upgrade_rank is not None
        and target.upgrade_rank > current.upgrade_rank
    )


def upgrade_targets(current: Package) -> list[Package]:
    """The active main packages an upgrade from `current` may lead to, lowest first."""
    return [
        p
        for p in Package.objects.filter(active=True, is_extension=False).order_by(
            "upgrade_rank", "sort_order", "code"
        )
        if upgrade_allowed(current, p)
    ]


def package_alias_map() -> dict[str, str]:
    """Lower-cased code or former name -> today's code; for bulk work (imports, reports)."""
    return {name: p.code for name, p in cached("packages", _packages_by_name).items()}


# Policy versions, kept per process with the reference data (core.reference): every
# submission, preview and amendment asks for the version in force. Their start dates are kept,
# and so is each version in use, with its rates and admitted packages: a version in use is never
# edited (the admin refuses; a new version is added instead). A version not yet in use may
# still be edited, even by a bulk update that sends no signal, and is read afresh each time.
@dataclass
class _Policies:
    starts: list[tuple[date, int]]  # (valid_from, pk), the newest first
    in_use: dict[int, PolicyVersion] = field(default_factory=dict)


def _policies() -> _Policies:
    return _Policies(
        starts=list(PolicyVersion.objects.order_by("-valid_from").values_list("valid_from", "pk"))
    )


# Whether a policy version is in use is known to the apps that judge files under one, which
# sit above the catalogue (it must not import them): each registers its question at start-up
# (applications' AppConfig.ready), and the catalogue asks them all.
_policy_users: list[Callable[[int], bool]] = []


def register_policy_user(uses: Callable[[int], bool]) -> None:
    """`uses(policy_id)` says whether something of the registering app was judged under that
    policy version; such a version is never edited again."""
    if uses not in _policy_users:
        _policy_users.append(uses)


def policy_in_use(policy_id: int | None) -> bool:
    return policy_id is not None and any(uses(policy_id) for uses in _policy_users)


def _version_id_on(starts: list[tuple[date, int]], on: date) -> int:
    """The rule: the version in force on `on` is the newest that starts on or before it."""
    pk = next((pk for valid_from, pk in starts if valid_from <= on), None)
    if pk is None:
        raise NotFound(
            _("No policy version is in force on %(date)s.") % {"date": on.isoformat()},
            code="NO_POLICY",
        )
    return pk


def _read_version(pk: int) -> PolicyVersion:
    return PolicyVersion.objects.prefetch_related(
        Prefetch("rates", queryset=PolicyRate.objects.select_related("enterprise_kind")),
        "admitted_packages",
    ).get(pk=pk)


def policy_in_force(on: date) -> PolicyVersion:
    policies = cached("policies", _policies)
    pk = _version_id_on(policies.starts, on)
    policy = policies.in_use.get(pk)
    if policy is None:
        policy = _read_version(pk)
        if policy_in_use(pk):
            policies.in_use[pk] = policy
    return policy


class PolicySchedule:
    """The policy versions as they stand at one moment, for bulk work over many dates (the
    history import prices a million files in one transaction): `in_force(on)` is
    `policy_in_force(on)` without a query per call: the start dates are read once, and each
    version once, when first asked for. Use one schedule per run, never across requests."""

    def __init__(self) -> None:
        self._starts = list(cached("policies", _policies).starts)
        self._versions: dict[int, PolicyVersion] = {}

    def in_force(self, on: date) -> PolicyVersion:
        """The version in force on `on`; NotFound (NO_POLICY) before the first."""
        pk = _version_id_on(self._starts, on)
        policy = self._versions.get(pk)
        if policy is None:
            policy = self._versions[pk] = _read_version(pk)
        return policy


def tariff_for(*, provider, package: Package, on: date) -> Tariff | None:
    return (
        Tariff.objects.filter(provider=provider, package=package, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )
