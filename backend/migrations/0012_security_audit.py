from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_staff_access')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WorkerBeat',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=200)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('beat_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('failures', fields.IntField(default=0)),
                ('last_error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'worker_beat', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ApiToken',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ApiToken',
            name='scopes',
            field=fields.CharField(default='read', db_default='read', max_length=100),
        ),
        # Tokens made before scopes existed keep what they could do for a citizen, not staff rights.
        ops.RunSQL("UPDATE api_token SET scopes = 'read write'", reverse_sql="SELECT 1"),
        ops.AddField(
            model_name='IdempotencyKey',
            name='fingerprint',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AlterField(
            model_name='User',
            name='totp_secret',
            field=fields.CharField(null=True, max_length=200),
        ),
    ]
