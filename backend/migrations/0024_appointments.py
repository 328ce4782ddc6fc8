from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.appointments.models import BookingStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0023_attachments')]

    initial = False

    operations = [
        # Appointments of procedures (issue 17, point 5): agendas, the places taken per slot, bookings.
        ops.CreateModel(
            name='Agenda',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('service', fields.ForeignKeyField('models.Service', source_field='service_id', db_constraint=True, to_field='id', related_name='agendas', on_delete=OnDelete.CASCADE)),
                ('name_fr', fields.CharField(max_length=120)),
                ('name_en', fields.CharField(default='', max_length=120)),
                ('place', fields.CharField(default='', max_length=200)),
                ('hours', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('slot_minutes', fields.IntField(default=15)),
                ('capacity', fields.IntField(default=1)),
                ('days_ahead', fields.IntField(default=30)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'agenda', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Booking',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agenda', fields.ForeignKeyField('models.Agenda', source_field='agenda_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.CASCADE)),
                ('request', fields.ForeignKeyField('models.ServiceRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.CASCADE)),
                ('start', fields.CharField(max_length=16)),
                ('status', fields.CharEnumField(default=BookingStatus.BOOKED, description='BOOKED: booked\nCANCELLED: cancelled\nATTENDED: attended\nNO_SHOW: no_show', enum_type=BookingStatus, max_length=10)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'booking', 'app': 'models', 'indexes': [Index(fields=['agenda_id', 'start']), Index(fields=['status', 'start'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Slot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agenda', fields.ForeignKeyField('models.Agenda', source_field='agenda_id', db_constraint=True, to_field='id', related_name='slots', on_delete=OnDelete.CASCADE)),
                ('start', fields.CharField(max_length=16)),
                ('taken', fields.IntField(default=0)),
                ('blocked', fields.BooleanField(default=False)),
            ],
            options={'table': 'agenda_slot', 'app': 'models', 'unique_together': (('agenda', 'start'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
