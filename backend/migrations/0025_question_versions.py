from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0024_appointments')]

    initial = False

    operations = [
        # Versioned questions (issue 17, point 4): each version kept, each request naming the one it answered.
        ops.CreateModel(
            name='QuestionSet',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('service', fields.ForeignKeyField('models.Service', source_field='service_id', db_constraint=True, to_field='id', related_name='question_sets', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('attributes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('changed_by', fields.ForeignKeyField('models.User', source_field='changed_by_id', null=True, db_constraint=True, to_field='id', related_name='question_sets', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'question_set', 'app': 'models', 'unique_together': (('service', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Service',
            name='questions_version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='ServiceRequest',
            name='questions_version',
            field=fields.IntField(null=True),
        ),
    ]
