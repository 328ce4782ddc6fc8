"""Bodies the appointment endpoints accept."""
from backend.validation import F, Schema

SLOT = F("appointment", "string", required=True, max_length=40,
         doc="`<agenda id>@YYYY-MM-DDTHH:MM`: a free slot of GET /api/v1/procedures/{slug}/{code}/slots.")
move = Schema("AppointmentMove", SLOT)
new_agenda = Schema(
    "NewAgenda",
    F("name_fr", "string", required=True, min_length=1, max_length=120),
    F("name_en", "string", max_length=120),
    F("place", "string", max_length=200),
    F("hours", "object", required=True, doc="{mon: [[\"08:00\", \"11:30\"], ...], ...}: local opening hours."),
    F("slot_minutes", "integer", minimum=5, maximum=480, default=15),
    F("capacity", "integer", minimum=1, maximum=100, default=1),
    F("days_ahead", "integer", minimum=1, maximum=365, default=30),
)
mark = Schema("BookingMark", F("status", "string", required=True, choices=("attended", "no_show", "booked"),
                               doc="What happened: attended, no_show, or booked again (a mistake undone)."))
block = Schema("SlotBlock", F("start", "string", required=True, max_length=16, doc="YYYY-MM-DDTHH:MM"),
               F("blocked", "boolean", required=True))
