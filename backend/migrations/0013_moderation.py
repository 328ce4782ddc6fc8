from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_security_audit')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Photo',
            name='hidden',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='ServiceRequest',
            name='description_hidden',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        # A withdrawn request is its author's taking back: no longer public (its reference was enough to read it).
        ops.RunSQL("UPDATE service_request SET public = false WHERE status = 'withdrawn'", reverse_sql="SELECT 1"),
    ]
