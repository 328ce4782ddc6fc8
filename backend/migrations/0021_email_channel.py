from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.requests.models import Channel
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0020_identity_documents')]

    initial = False

    operations = [
        # The e-mail channel (issue 19, point 2): requests from an e-mail to the town's address.
        ops.AlterField(
            model_name='ServiceRequest',
            name='channel',
            field=fields.CharEnumField(default=Channel.APP, description='APP: app\nWEB: web\nPHONE: phone\nCOUNTER: counter\nMAIL: mail\nEMAIL: email\nOPEN311: open311', enum_type=Channel, max_length=10),
        ),
        # SQLite alters a column by copying the table, and the copies of 0018 to 0021 lost the tables' indexes
        # there (PostgreSQL keeps them: IF NOT EXISTS leaves them be). Made again, under Tortoise's own names.
        *[ops.RunSQL(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})', reverse_sql="SELECT 1")
          for name, table, columns in (
              ("idx_service_req_organis_caae1f", "service_request", '"organisation_id", "status", "created_at"'),
              ("idx_service_req_author__4f61cb", "service_request", '"author_id", "created_at"'),
              ("idx_service_req_service_50929a", "service_request", '"service_id", "status"'),
              ("idx_service_req_organis_090694", "service_request",
               '"organisation_id", "service_id", "status", "created_at"'),
              ("idx_service_req_created_ba78b6", "service_request",
               '"created_at", "id", "lat", "lon", "status", "public"'),
              ("idx_access_requ_organis_ca4ebc", "access_request", '"organisation_id", "kind", "status", "created_at"'),
              ("idx_access_requ_applica_c56c52", "access_request", '"applicant_id", "created_at"'))],
        ops.RunSQL("CREATE INDEX IF NOT EXISTS service_request_open_map "
                   "ON service_request (created_at, id, lat, lon, status, public) "
                   "WHERE public AND status IN ('acknowledged', 'in_progress', 'submitted')",
                   reverse_sql="SELECT 1"),
    ]
