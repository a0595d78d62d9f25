# Kyrgyz: "2026-жылдын 17-декабры", "2026-жылдын 17-декабры, 17:04" (the month in the genitive,
# from the project's catalogue). Without Django's trailing "ж.": one full stop after a date.
DATE_FORMAT = r"Y-\ж\ы\л\д\ы\н j-E"
DATETIME_FORMAT = r"Y-\ж\ы\л\д\ы\н j-E, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"Y-\ж\ы\л F"
MONTH_DAY_FORMAT = "j-E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
