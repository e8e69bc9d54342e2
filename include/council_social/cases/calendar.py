"""Cases read deadlines from the council's one working calendar
(`council_social.working_calendar`); this name stays for existing imports."""

from council_social.working_calendar import END_OF_DAY, LONDON, WorkingCalendar

__all__ = ["END_OF_DAY", "LONDON", "WorkingCalendar"]
