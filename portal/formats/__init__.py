"""Date and time formats for the customer languages, where Django's own are missing or wrong.

Django has no format module for Kazakh, Armenian or Belarusian (dates came out in English order,
"Жел. 17, 2026", with "5:04 p.m." inside Armenian text), and its Russian and Kyrgyz dates end in an
abbreviation with a full stop (the Russian "year" abbreviation) that doubles the full stop of a sentence ending
in a date. Each module here writes the day, the month's name (from the catalogues, the project's
"alt. month" entries first) and the year in that language's order, and 24-hour time. Found through
``FORMAT_MODULE_PATH``; anything a module leaves out comes from Django's module for the language.
"""
