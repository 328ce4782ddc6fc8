from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_data_exports')]

    initial = False

    operations = [
        # The staff's first public word on a request, for the statistics' time to first answer (issue 19).
        ops.AddField(
            model_name='ServiceRequest',
            name='first_answer_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # The requests already answered: their staff's first public event (written by hand: the models do not
        # see data).
        ops.RunSQL("UPDATE service_request SET first_answer_at = (SELECT MIN(e.at) FROM event e "
                   "WHERE e.request_id = service_request.id AND e.actor_is_staff AND e.public "
                   "AND e.kind <> 'created')", reverse_sql="SELECT 1"),
    ]
