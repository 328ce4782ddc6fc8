from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_group_names')]

    initial = False

    operations = [
        # A citizen's phone and postal address, which they set and correct themselves (the right to rectify).
        ops.AddField(
            model_name='User',
            name='phone',
            field=fields.CharField(max_length=40, default='', db_default=''),
        ),
        ops.AddField(
            model_name='User',
            name='postal_address',
            field=fields.CharField(max_length=300, default='', db_default=''),
        ),
    ]
