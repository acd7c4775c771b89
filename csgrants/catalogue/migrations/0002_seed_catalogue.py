"""Seed the catalogue of the scheme: packages and their former names, enterprise kinds, the two
policy versions of 2021 and 2023, and the rejection reason codes."""

from decimal import Decimal

from django.db import migrations

PACKAGES = [
    # code, nl, en, extension, order, former names
    ("START", "START-pakket", "START package", False, 1, []),
    ("MEDIUM", "MEDIUM-pakket (vroeger light)", "MEDIUM package (formerly light)", False, 2, ["light"]),
    ("PLUS", "PLUS-pakket (vroeger basis)", "PLUS package (formerly basis)", False, 3, ["basis"]),
    ("CHECK_PLAN", "Check & plan", "Check & plan", False, 4, ["check&plan", "check & plan", "check-plan"]),
    ("EXTENSION", "Uitbreidingspakket", "Extension package", True, 10, ["uitbreiding", "uitbreidingspakket"]),
]

KINDS = [
    ("kmo", "kmo", "SME", True),
    ("maatwerkbedrijf", "maatwerkbedrijf", "social-economy enterprise (maatwerkbedrijf)", False),
]

POLICIES = [
    ("Raamovereenkomst 2021 (45%)", "2021-01-01", Decimal("45.00"), Decimal("15000.00"), Decimal("50000.00")),
    ("Beleidswijziging 2023 (50%)", "2023-01-01", Decimal("50.00"), Decimal("9200.00"), Decimal("35000.00")),
]

REASONS = [
    ("NOT_SME", "Geen kmo volgens de Europese definitie", "Not an SME under the EU definition",
     "Uw onderneming voldoet niet aan de Europese kmo-definitie (Aanbeveling 2003/361/EG).",
     "Your enterprise does not meet the EU SME definition (Recommendation 2003/361/EC)."),
    ("PUBLIC_BODY_CONTROL", "25% of meer in handen van overheden", "25% or more held by public bodies",
     "25% of meer van het kapitaal of de stemrechten is in handen van een of meer overheidsinstanties.",
     "25% or more of the capital or voting rights is held by one or more public bodies."),
    ("OUTSIDE_FLEMISH_REGION", "Geen vestiging in het Vlaamse Gewest", "No establishment in the Flemish Region",
     "De onderneming heeft geen zetel of vestigingseenheid in het Vlaamse Gewest.",
     "The enterprise has no seat or establishment unit in the Flemish Region."),
    ("DE_MINIMIS_CEILING", "De-minimisplafond overschreden", "De minimis ceiling exceeded",
     "De steun zou het de-minimisplafond overschrijden; de steun kan ook niet gedeeltelijk worden toegekend.",
     "The aid would exceed the de minimis ceiling; it cannot be granted in part either."),
    ("RECENT_TRAJECTORY", "Recent traject al goedgekeurd", "Recent trajectory already approved",
     "Voor deze onderneming werd in de voorbije vier jaar al een verbetertraject goedgekeurd.",
     "An improvement trajectory was already approved for this enterprise in the last four years."),
    ("NEGATIVE_EQUITY", "Negatief eigen vermogen", "Negative equity",
     "De onderneming heeft een negatief eigen vermogen.", "The enterprise has negative equity."),
    ("INELIGIBLE_LEGAL_FORM", "Rechtsvorm niet toegelaten", "Legal form not admitted",
     "De rechtsvorm van de onderneming komt niet in aanmerking.", "The enterprise's legal form is not admitted."),
    ("INELIGIBLE_ACTIVITY", "Activiteit niet toegelaten", "Activity not admitted",
     "De hoofdactiviteit (NACE) van de onderneming komt niet in aanmerking.",
     "The enterprise's main activity (NACE) is not admitted."),
    ("COST_OUT_OF_RANGE", "Kostprijs buiten het toegelaten bereik", "Cost outside the admitted range",
     "De kostprijs van het traject ligt buiten het bereik dat het beleid toelaat.",
     "The cost of the trajectory lies outside the range the policy admits."),
    ("BUDGET_EXHAUSTED", "Budget van de dienstverlener uitgeput", "Service provider's budget exhausted",
     "Het beschikbare budget van de dienstverlener volstaat niet voor deze steun.",
     "The service provider's available budget does not cover this subsidy."),
    ("INCOMPLETE_FILE", "Onvolledig dossier", "Incomplete file",
     "Het dossier is onvolledig, ook na een vraag om bijkomende informatie.",
     "The file is incomplete, also after a request for information."),
    ("OTHER", "Andere reden", "Other reason", "Zie de toelichting bij de beslissing.", "See the note to the decision."),
]


def seed(apps, schema_editor):
    Package = apps.get_model("catalogue", "Package")
    PackageAlias = apps.get_model("catalogue", "PackageAlias")
    EnterpriseKind = apps.get_model("catalogue", "EnterpriseKind")
    PolicyVersion = apps.get_model("catalogue", "PolicyVersion")
    PolicyRate = apps.get_model("catalogue", "PolicyRate")
    ReasonCode = apps.get_model("catalogue", "ReasonCode")
    main = []
    for code, nl, en, ext, order, aliases in PACKAGES:
        p = Package.objects.create(code=code, name_nl=nl, name_en=en, is_extension=ext, sort_order=order)
        if not ext:
            main.append(p)
        for alias in aliases:
            PackageAlias.objects.create(package=p, name=alias)
    kinds = [
        EnterpriseKind.objects.create(code=c, name_nl=nl, name_en=en, sme_test=t) for c, nl, en, t in KINDS
    ]
    for name, valid_from, rate, lo, hi in POLICIES:
        policy = PolicyVersion.objects.create(
            name=name, valid_from=valid_from, min_cost_eur=lo, max_cost_eur=hi,
            decision_term_working_days=10, recent_trajectory_years=4,
        )
        policy.admitted_packages.set(main)
        for kind in kinds:
            PolicyRate.objects.create(policy=policy, enterprise_kind=kind, rate_pct=rate)
    for code, lnl, len_, tnl, ten in REASONS:
        ReasonCode.objects.create(code=code, label_nl=lnl, label_en=len_, letter_nl=tnl, letter_en=ten)


def unseed(apps, schema_editor):
    for model in ("PolicyRate", "PolicyVersion", "PackageAlias", "Package", "EnterpriseKind", "ReasonCode"):
        apps.get_model("catalogue", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
