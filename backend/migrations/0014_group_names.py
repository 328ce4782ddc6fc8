from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_moderation')]

    initial = False

    operations = [
        # A catalogue group's English name (the French one stays its key, which saved filters hold).
        ops.AddField(
            model_name='Service',
            name='group_en',
            field=fields.CharField(max_length=80, default='', db_default=''),
        ),
    ]
