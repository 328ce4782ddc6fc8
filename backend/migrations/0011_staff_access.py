from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.accounts.models import AccessKind, AccessStatus, IdentityMethod, Role
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_open_map_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccessRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='ACCOUNT: account\nATTACHMENT: attachment\nSECRETARY: secretary\nRIGHTS: rights', enum_type=AccessKind, max_length=12)),
                ('applicant', fields.ForeignKeyField('models.User', source_field='applicant_id', db_constraint=True, to_field='id', related_name='access_requests', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='access_requests', on_delete=OnDelete.CASCADE)),
                ('service', fields.ForeignKeyField('models.Service', source_field='service_id', null=True, db_constraint=True, to_field='id', related_name='access_requests', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(null=True, description='CITIZEN: citizen\nAGENT: agent\nFIELD_AGENT: field_agent\nDISPATCHER: dispatcher\nSERVICE_MANAGER: service_manager\nSECRETARY: secretary\nPREFECT: prefect\nADMIN: admin\nMEMBER: member\nDEPUTY: deputy', enum_type=Role, max_length=20)),
                ('identity', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('message', fields.TextField(default='', unique=False)),
                ('valid_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=AccessStatus.PENDING, description='PENDING: pending\nACCEPTED: accepted\nREFUSED: refused\nWITHDRAWN: withdrawn', enum_type=AccessStatus, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='access_decisions', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(default='', unique=False)),
                ('identity_method', fields.CharEnumField(null=True, description='IN_PERSON: in_person\nPHONE: phone\nKNOWN_EMAIL: known_email\nDOCUMENT: document', enum_type=IdentityMethod, max_length=12)),
                ('identity_note', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'access_request', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'kind', 'status', 'created_at']), Index(fields=['applicant_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KnownDevice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='devices', on_delete=OnDelete.CASCADE)),
                ('device_hash', fields.CharField(max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=300)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'known_device', 'app': 'models', 'unique_together': (('user', 'device_hash'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='recovery_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=64)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recovery_code', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Membership',
            name='role',
            field=fields.CharEnumField(description='CITIZEN: citizen\nAGENT: agent\nFIELD_AGENT: field_agent\nDISPATCHER: dispatcher\nSERVICE_MANAGER: service_manager\nSECRETARY: secretary\nPREFECT: prefect\nADMIN: admin\nMEMBER: member\nDEPUTY: deputy', enum_type=Role, max_length=20),
        ),
        ops.AlterField(
            model_name='ServiceGrant',
            name='role',
            field=fields.CharEnumField(description='CITIZEN: citizen\nAGENT: agent\nFIELD_AGENT: field_agent\nDISPATCHER: dispatcher\nSERVICE_MANAGER: service_manager\nSECRETARY: secretary\nPREFECT: prefect\nADMIN: admin\nMEMBER: member\nDEPUTY: deputy', enum_type=Role, max_length=20),
        ),
        ops.AddField(
            model_name='Session',
            name='second_factor_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='identity_verified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='previous_login_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='totp_last_step',
            field=fields.BigIntField(null=True),
        ),
    ]
