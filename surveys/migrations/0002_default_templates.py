"""Every installation starts with the two surveys the product ships: the annual perception survey (one 1–5 score
per dimension with an optional comment, then advocacy and loyalty, then needs and wants: eleven questions, under
the twelve a perception survey may ask) and the three-question pulse sent after a plan is confirmed resolved.

The wording is data, copied into this file and never imported from live code, so this migration means the same
thing whatever the code around it becomes. Editing the questions later makes a new version (surveys.services).
"""

from django.db import migrations

DIMENSIONS = [
    ("business_relationship", "our business relationship with you"),
    ("product_performance", "the performance of our products"),
    ("field_service", "our field service"),
    ("delivery", "our deliveries"),
    ("quality", "the quality of what we supply"),
    ("billing", "our invoices and billing"),
    ("pricing", "our pricing"),
]

TEMPLATES = {
    "annual-perception": {
        "kind": "annual",
        "name": "Annual customer perception survey",
        "intro": (
            "Once a year we ask the people we work with how we are doing. It takes about five minutes; you can "
            "save your answers and finish later with the same link. Every answer is read by the team it concerns."
        ),
        "thank_you": (
            "Thank you. Your answers go straight to the teams concerned, in your own words, and your account "
            "manager will come back to you on anything that needs action."
        ),
        "questions": [
            *[
                {
                    "kind": "score",
                    "dimension": dimension,
                    "wording": f"How satisfied are you with {subject}? (1 = very dissatisfied, 5 = very satisfied)",
                    "allows_comment": True,
                    "required": True,
                }
                for dimension, subject in DIMENSIONS
            ],
            {
                "kind": "recommend",
                "dimension": "",
                "wording": "How likely are you to recommend us to a colleague? (0 = not at all, 10 = extremely)",
                "allows_comment": True,
                "required": True,
            },
            {
                "kind": "choose_again",
                "dimension": "",
                "wording": "If you were choosing a supplier today, would you choose us again?",
                "allows_comment": False,
                "required": True,
            },
            {
                "kind": "needs",
                "dimension": "",
                "wording": "What problems do you need us to solve for you in the coming year?",
                "allows_comment": False,
                "required": False,
            },
            {
                "kind": "wants",
                "dimension": "",
                "wording": "What would make working with us more pleasant for you?",
                "allows_comment": False,
                "required": False,
            },
        ],
    },
    "pulse": {
        "kind": "pulse",
        "name": "After-resolution pulse",
        "intro": "We recently worked on a problem you raised with us. Three short questions, please.",
        "thank_you": "Thank you for telling us. If it is not solved, we will be in touch.",
        "questions": [
            {
                "kind": "yes_no",
                "dimension": "",
                "wording": "Was your problem solved?",
                "allows_comment": False,
                "required": True,
            },
            {
                "kind": "score",
                "dimension": "business_relationship",
                "wording": "How did we do? (1 = badly, 5 = very well)",
                "allows_comment": False,
                "required": True,
            },
            {
                "kind": "text",
                "dimension": "",
                "wording": "Anything else you would like us to know?",
                "allows_comment": False,
                "required": False,
            },
        ],
    },
}


def create_default_templates(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Idempotent: a template that exists (perhaps edited in the admin) is left alone."""
    template_model = apps.get_model("surveys", "SurveyTemplate")
    version_model = apps.get_model("surveys", "SurveyVersion")
    question_model = apps.get_model("surveys", "SurveyQuestion")
    for slug, spec in TEMPLATES.items():
        template, created = template_model.objects.get_or_create(
            slug=slug,
            defaults={"kind": spec["kind"], "name": spec["name"], "intro": spec["intro"], "thank_you": spec["thank_you"]},
        )
        if not created:
            continue
        version = version_model.objects.create(template=template, number=1)
        question_model.objects.bulk_create(
            question_model(version=version, position=position, **question)
            for position, question in enumerate(spec["questions"], start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_default_templates, migrations.RunPython.noop)]
