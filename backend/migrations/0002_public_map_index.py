from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='ServiceRequest',
            name=None,
            fields=['lat', 'lon'],
        ),
        ops.RemoveIndex(
            model_name='ServiceRequest',
            name=None,
            fields=['created_at', 'id'],
        ),
        ops.AddIndex(
            model_name='ServiceRequest',
            index=Index(fields=['created_at', 'lat', 'lon', 'status', 'public']),
        ),
    ]
