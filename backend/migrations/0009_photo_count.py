from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_open311_keys')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ServiceRequest',
            name='photo_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        # The requests that already have photos (written by hand: the models do not see data).
        ops.RunSQL("UPDATE service_request SET photo_count = "
                   "(SELECT COUNT(*) FROM photo WHERE photo.request_id = service_request.id)"),
    ]
