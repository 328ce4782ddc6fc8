from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.privacy.models import ExportStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_legal_pages')]

    initial = False

    operations = [
        # A person's data export, built at once or by the worker, downloadable for EXPORT_KEEP_HOURS (issue 18).
        ops.CreateModel(
            name='DataExport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='data_exports', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=ExportStatus.PENDING, description='PENDING: pending\nBUILDING: building\nREADY: ready\nFAILED: failed', enum_type=ExportStatus, max_length=10)),
                ('progress', fields.IntField(default=0)),
                ('file_name', fields.CharField(default='', max_length=80)),
                ('size', fields.BigIntField(default=0)),
                ('attempts', fields.IntField(default=0)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ready_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'data_export', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
