from django.db import migrations, models

RULES_NL = "het subsidiereglement voor de cybersecurity-verbetertrajecten (de beleidsversie die op de indieningsdatum gold)"
RULES_EN = "the subsidy rules for the cybersecurity improvement trajectories (the policy version in force on the date of filing)"

GROUNDS = {
    "NOT_SME": (
        "Aanbeveling 2003/361/EG van de Commissie betreffende de definitie van kleine, middelgrote en micro-ondernemingen, bijlage, art. 2 tot 6; " + RULES_NL + ".",
        "Commission Recommendation 2003/361/EC concerning the definition of micro, small and medium-sized enterprises, Annex, art. 2 to 6; " + RULES_EN + ".",
    ),
    "PUBLIC_BODY_CONTROL": (
        "Aanbeveling 2003/361/EG van de Commissie, bijlage, art. 3, lid 4.",
        "Commission Recommendation 2003/361/EC, Annex, art. 3(4).",
    ),
    "OUTSIDE_FLEMISH_REGION": (RULES_NL[0].upper() + RULES_NL[1:] + ": vestiging in het Vlaamse Gewest.", RULES_EN[0].upper() + RULES_EN[1:] + ": establishment in the Flemish Region."),
    "DE_MINIMIS_CEILING": (
        "Verordening (EU) 2023/2831 van de Commissie betreffende de-minimissteun, art. 3, lid 2 en lid 7.",
        "Commission Regulation (EU) 2023/2831 on de minimis aid, art. 3(2) and 3(7).",
    ),
    "RECENT_TRAJECTORY": (RULES_NL[0].upper() + RULES_NL[1:] + ": één traject per onderneming binnen de termijn van het reglement.", RULES_EN[0].upper() + RULES_EN[1:] + ": one trajectory per enterprise within the term of the rules."),
    "NEGATIVE_EQUITY": (
        "Verordening (EU) 2023/2831, art. 1, en " + RULES_NL + ": onderneming in moeilijkheden.",
        "Regulation (EU) 2023/2831, art. 1, and " + RULES_EN + ": undertaking in difficulty.",
    ),
    "INELIGIBLE_LEGAL_FORM": (RULES_NL[0].upper() + RULES_NL[1:] + ": toegelaten rechtsvormen.", RULES_EN[0].upper() + RULES_EN[1:] + ": admitted legal forms."),
    "INELIGIBLE_ACTIVITY": (
        "Verordening (EU) 2023/2831, art. 1, lid 1 (uitgesloten sectoren), en " + RULES_NL + ".",
        "Regulation (EU) 2023/2831, art. 1(1) (excluded sectors), and " + RULES_EN + ".",
    ),
    "COST_OUT_OF_RANGE": (RULES_NL[0].upper() + RULES_NL[1:] + ": minimum- en maximumkostprijs van een traject.", RULES_EN[0].upper() + RULES_EN[1:] + ": minimum and maximum cost of a trajectory."),
    "BUDGET_EXHAUSTED": (RULES_NL[0].upper() + RULES_NL[1:] + " en de raamovereenkomst met de dienstverlener: beschikbaar budget.", RULES_EN[0].upper() + RULES_EN[1:] + " and the framework agreement with the service provider: available budget."),
    "INCOMPLETE_FILE": (RULES_NL[0].upper() + RULES_NL[1:] + ": volledigheid van het dossier.", RULES_EN[0].upper() + RULES_EN[1:] + ": completeness of the file."),
    "OTHER": (RULES_NL[0].upper() + RULES_NL[1:] + ".", RULES_EN[0].upper() + RULES_EN[1:] + "."),
}


def fill(apps, schema_editor):
    ReasonCode = apps.get_model("catalogue", "ReasonCode")
    for code, (nl, en) in GROUNDS.items():
        ReasonCode.objects.filter(code=code).update(legal_ground_nl=nl, legal_ground_en=en)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_seed_catalogue")]

    operations = [
        migrations.AddField(
            model_name="reasoncode",
            name="legal_ground_nl",
            field=models.TextField(blank=True, verbose_name="legal ground (Dutch)"),
        ),
        migrations.AddField(
            model_name="reasoncode",
            name="legal_ground_en",
            field=models.TextField(blank=True, verbose_name="legal ground (English)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
