from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.lostfound.models import ClaimState, Outcome, Side
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_saved_filters')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Item',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.OneToOneField('models.ServiceRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='item', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.RESTRICT)),
                ('side', fields.CharEnumField(description='LOST: lost\nFOUND: found', enum_type=Side, max_length=5)),
                ('category', fields.CharField(max_length=40)),
                ('colour', fields.CharField(default='', max_length=20)),
                ('brand', fields.CharField(default='', max_length=80)),
                ('description', fields.TextField(default='', unique=False)),
                ('marks', fields.TextField(default='', unique=False)),
                ('when_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('when_to', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lat', fields.FloatField(null=True)),
                ('lon', fields.FloatField(null=True)),
                ('radius_m', fields.IntField(null=True)),
                ('finder_keeps', fields.BooleanField(default=False)),
                ('storage_place', fields.CharField(default='', max_length=200)),
                ('holding_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('holding_ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('is_open', fields.BooleanField(default=True)),
                ('outcome', fields.CharEnumField(null=True, description='RETURNED: returned\nTO_FINDER: to_finder\nDONATED: donated\nDESTROYED: destroyed\nTO_ISSUER: to_issuer\nWITHDRAWN: withdrawn', enum_type=Outcome, max_length=10)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lost_found_item', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'side', 'category', 'is_open', 'when_to']), Index(fields=['side', 'is_open', 'holding_until'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Candidate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lost', fields.ForeignKeyField('models.Item', source_field='lost_id', db_constraint=True, to_field='id', related_name='found_candidates', on_delete=OnDelete.CASCADE)),
                ('found', fields.ForeignKeyField('models.Item', source_field='found_id', db_constraint=True, to_field='id', related_name='lost_candidates', on_delete=OnDelete.CASCADE)),
                ('score', fields.FloatField()),
                ('reasons', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lost_found_candidate', 'app': 'models', 'unique_together': (('lost', 'found'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Claim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lost', fields.ForeignKeyField('models.Item', source_field='lost_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.CASCADE)),
                ('found', fields.ForeignKeyField('models.Item', source_field='found_id', db_constraint=True, to_field='id', related_name='found_claims', on_delete=OnDelete.CASCADE)),
                ('claimant', fields.ForeignKeyField('models.User', source_field='claimant_id', null=True, db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.SET_NULL)),
                ('answer', fields.TextField(unique=False)),
                ('state', fields.CharEnumField(default=ClaimState.PENDING, description='PENDING: pending\nACCEPTED: accepted\nREFUSED: refused\nHANDED_OVER: handed_over', enum_type=ClaimState, max_length=12)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='claims_decided', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_note', fields.TextField(default='', unique=False)),
                ('handed_over_by', fields.ForeignKeyField('models.User', source_field='handed_over_by_id', null=True, db_constraint=True, to_field='id', related_name='handovers', on_delete=OnDelete.SET_NULL)),
                ('handed_over_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('identity_checked', fields.CharField(default='', max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lost_found_claim', 'app': 'models', 'indexes': [Index(fields=['found_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
