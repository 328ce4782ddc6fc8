from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('models', '0009_photo_count')]

    initial = False

    # The public map shows the open requests by default: a partial index of those alone, newest first, is
    # scanned for a box instead of every request of the town (resolved and closed ones are most of them).
    # Written by hand (Tortoise's indexes have no WHERE on SQLite); the condition is OPEN_ON_MAP of the models,
    # letter for letter, or no planner uses the index (a test asks both). Status and public stand among the
    # columns too: without them SQLite does not see that the index covers the query.
    operations = [
        ops.RunSQL("CREATE INDEX IF NOT EXISTS service_request_open_map "
                   "ON service_request (created_at, id, lat, lon, status, public) "
                   "WHERE public AND status IN ('acknowledged', 'in_progress', 'submitted')",
                   reverse_sql="DROP INDEX IF EXISTS service_request_open_map"),
    ]
