# Kazakh: "2026 жылғы 17 желтоқсан", "2026 жылғы 17 желтоқсан, 17:04" (year, day, month; lower-case
# month names from the project's catalogue).
DATE_FORMAT = r"Y \ж\ы\л\ғ\ы j E"
DATETIME_FORMAT = r"Y \ж\ы\л\ғ\ы j E, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"Y \ж\ы\л\ғ\ы F"
MONTH_DAY_FORMAT = "j E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
