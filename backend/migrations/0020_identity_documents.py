from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0019_access_on_hold')]

    initial = False

    operations = [
        # The identity document a staff applicant may attach, until the decision (issue 19, point 4).
        ops.AddField(
            model_name='AccessRequest',
            name='document_name',
            field=fields.CharField(default='', db_default='', max_length=80),
        ),
        ops.AddField(
            model_name='AccessRequest',
            name='document_type',
            field=fields.CharField(default='', db_default='', max_length=10),
        ),
    ]
