from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_staff_queue_index')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['organisation_id', 'id']),
        ),
        ops.AddIndex(
            model_name='Photo',
            index=Index(fields=['request_id', 'id']),
        ),
        ops.AddIndex(
            model_name='PushSubscription',
            index=Index(fields=['user_id']),
        ),
        ops.AddIndex(
            model_name='PushSubscription',
            index=Index(fields=['request_id']),
        ),
        ops.RemoveIndex(
            model_name='ServiceRequest',
            name=None,
            fields=['created_at', 'lat', 'lon', 'status', 'public'],
        ),
        ops.AddIndex(
            model_name='ServiceRequest',
            index=Index(fields=['created_at', 'id', 'lat', 'lon', 'status', 'public']),
        ),
    ]
