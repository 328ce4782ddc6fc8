from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_public_map_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='PushSubscription',
            name='language',
            field=fields.CharField(default='fr', max_length=2),
        ),
        ops.AddIndex(
            model_name='PushSubscription',
            index=Index(fields=['endpoint']),
        ),
        ops.AddField(
            model_name='User',
            name='notify_prefs',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
