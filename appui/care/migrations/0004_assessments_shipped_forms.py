"""Install the assessment grids shipped with Appui: the multidimensional assessment and AGGIR."""

from django.db import migrations


def install(apps, schema_editor):
    from appui.care.assessments import install_shipped_forms

    install_shipped_forms(apps.get_model("care", "AssessmentForm"))


class Migration(migrations.Migration):
    dependencies = [("care", "0003_followup_plans_assessments")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
