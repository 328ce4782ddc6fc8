from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_lookup_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SavedFilter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='saved_filters', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=80)),
                ('query', fields.CharField(max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'saved_filter', 'app': 'models', 'unique_together': (('user', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
