from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_contact_details')]

    initial = False

    operations = [
        # The legal and information pages an organisation's administrators write (issue 18).
        ops.CreateModel(
            name='LegalPage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='legal_pages', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=20)),
                ('language', fields.CharField(max_length=2)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='legal_pages', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'legal_page', 'app': 'models', 'unique_together': (('organisation', 'kind', 'language'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
