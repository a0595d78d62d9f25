# Russian: "17 декабря 2026", "17 декабря 2026, 17:04". Without the trailing abbreviation of "year", so
# that a sentence ending in a date ends with one full stop.
DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, G:i"
TIME_FORMAT = "G:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y G:i"
