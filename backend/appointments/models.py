"""Agendas of procedures with an appointment (issue 17, point 5): opening hours cut into slots, bookings, and the
count of places taken per slot that makes booking the last place atomic."""
from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Agenda(Model):
    # One counter or one person's diary of a procedure (passports: two counters, two agendas).
    id = fields.IntField(primary_key=True)
    service = fields.ForeignKeyField("models.Service", related_name="agendas", on_delete=fields.CASCADE)
    name_fr = fields.CharField(max_length=120)
    name_en = fields.CharField(max_length=120, default="")
    place = fields.CharField(max_length=200, default="")  # where to come
    # {"mon": [["08:00", "11:30"], ["13:30", "16:30"]], ...}: local wall-clock hours (TIME_ZONE) per weekday.
    hours = fields.JSONField(default=dict)
    slot_minutes = fields.IntField(default=15)
    capacity = fields.IntField(default=1)  # people per slot
    days_ahead = fields.IntField(default=30)  # how far ahead one may book
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agenda"


class Slot(Model):
    # The places taken in one slot, counted by one atomic UPDATE (no double booking on SQLite or PostgreSQL); a
    # row exists only for slots that were booked or blocked.
    id = fields.IntField(primary_key=True)
    agenda = fields.ForeignKeyField("models.Agenda", related_name="slots", on_delete=fields.CASCADE)
    start = fields.CharField(max_length=16)  # local wall-clock "YYYY-MM-DDTHH:MM"
    taken = fields.IntField(default=0)
    blocked = fields.BooleanField(default=False)

    class Meta:
        table = "agenda_slot"
        unique_together = (("agenda", "start"),)


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class Booking(Model):
    # A request's appointment; a move cancels one booking and makes another, so the history stays.
    id = fields.IntField(primary_key=True)
    agenda = fields.ForeignKeyField("models.Agenda", related_name="bookings", on_delete=fields.CASCADE)
    request = fields.ForeignKeyField("models.ServiceRequest", related_name="bookings", on_delete=fields.CASCADE)
    start = fields.CharField(max_length=16)
    status = fields.CharEnumField(BookingStatus, max_length=10, default=BookingStatus.BOOKED)
    reminded_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "booking"
        indexes = [Index(fields=("agenda_id", "start")), Index(fields=("status", "start"))]
