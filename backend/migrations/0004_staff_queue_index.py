from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_push_preferences')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ServiceRequest',
            index=Index(fields=['organisation_id', 'service_id', 'status', 'created_at']),
        ),
    ]
