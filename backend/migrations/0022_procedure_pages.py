from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0021_email_channel')]

    initial = False

    operations = [
        # The catalogue of procedures (issue 17, point 1): each service's page (audience, who may ask, documents,
        # duration, cost), empty for the services already there.
        ops.AddField(
            model_name='Service',
            name='info',
            field=fields.JSONField(null=True),
        ),
    ]
