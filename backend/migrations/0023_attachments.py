from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0022_procedure_pages')]

    initial = False

    operations = [
        # Files answering the questions of procedures (issue 17, point 2): proof of address, a plan.
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.ServiceRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=120)),
                ('kind', fields.CharField(max_length=10)),
                ('bytes', fields.IntField()),
                ('path', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attachment', 'app': 'models', 'unique_together': (('request', 'code'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
