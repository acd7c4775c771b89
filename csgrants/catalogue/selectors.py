from __future__ import annotations

import copy
from datetime import date

from django.db.models import Prefetch, Q

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
        raise ValidationFailed(f"unknown package {name!r}", code="UNKNOWN_PACKAGE", field="package")
    if extension is not None and package.is_extension != extension:
        kind = "an extension package" if extension else "a main package"
        raise ValidationFailed(
            f"{package.code} is not {kind}", code="UNKNOWN_PACKAGE", field="package"
        )
    return copy.copy(package)  # the process's copy is shared: callers get their own


def package_alias_map() -> dict[str, str]:
    """Lower-cased code or former name -> today's code; for bulk work (imports, reports)."""
    return {name: p.code for name, p in cached("packages", _packages_by_name).items()}


# Policy versions in use, by id, with their rates and admitted packages. A version in use is
# never edited (the admin refuses; a new version is added instead), so each process keeps it:
# every submission, preview and amendment asks for the version in force. A version not yet in
# use may still be edited and is read afresh each time. Saving a policy, a rate, a package or a
# kind in this process empties the cache (apps.py); tests empty it between tests.
_IN_USE: dict[int, PolicyVersion] = {}


def policy_in_use(policy_id: int | None) -> bool:
    from csgrants.applications.models import Application

    return policy_id is not None and Application.objects.filter(policy_id=policy_id).exists()


def forget_policies(**_signal) -> None:
    _IN_USE.clear()


def _policy_starts() -> list[tuple[date, int]]:
    return list(PolicyVersion.objects.order_by("-valid_from").values_list("valid_from", "pk"))


def policy_in_force(on: date) -> PolicyVersion:
    starts = cached("policy starts", _policy_starts)
    pk = next((pk for valid_from, pk in starts if valid_from <= on), None)
    if pk is None:
        raise NotFound(f"no policy version in force on {on.isoformat()}", code="NO_POLICY")
    policy = _IN_USE.get(pk)
    if policy is None:
        policy = PolicyVersion.objects.prefetch_related(
            Prefetch("rates", queryset=PolicyRate.objects.select_related("enterprise_kind")),
            "admitted_packages",
        ).get(pk=pk)
        if policy_in_use(pk):
            _IN_USE[pk] = policy
    return policy


def tariff_for(*, provider, package: Package, on: date) -> Tariff | None:
    return (
        Tariff.objects.filter(provider=provider, package=package, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )
