from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.accounts.models import AccessStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0018_first_answer')]

    initial = False

    operations = [
        # A third decision on a staff access request: on hold, with the reason (issue 19, point 4).
        ops.AlterField(
            model_name='AccessRequest',
            name='status',
            field=fields.CharEnumField(default=AccessStatus.PENDING, description='PENDING: pending\nON_HOLD: on_hold\nACCEPTED: accepted\nREFUSED: refused\nWITHDRAWN: withdrawn', enum_type=AccessStatus, max_length=10),
        ),
    ]
