# Uzbek (Latin): "2026-yil 17-dekabr", "2026-yil 17-dekabr, 17:04" (year first, lower-case month
# names from the project's catalogue).
DATE_FORMAT = r"Y-\y\i\l j-E"
DATETIME_FORMAT = r"Y-\y\i\l j-E, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"Y-\y\i\l F"
MONTH_DAY_FORMAT = "j-E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
