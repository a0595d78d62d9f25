"""The passport fields the customer confirms, the seller sees and customs gets, in display order.

Names come in Latin (as in the MRZ) and, where known, in Cyrillic: the Russian internal passport's
MRZ encodes them reversibly, and customs asks Russian citizens for their name as written in Russian.
"""

PASSPORT_FIELDS = (
    "surname",
    "given_names",
    "surname_cyrillic",
    "given_names_cyrillic",
    "number",
    "nationality",
    "date_of_birth",
    "sex",
    "expiry_date",
    # The Russian internal passport has no expiry; customs asks for its issue date instead.
    "issue_date",
    "department_code",
    # Customs (issue 9): the internal passport's series (its first four digits), who issued the
    # document, and the buyer's INN (in no MRZ).
    "series",
    "issuing_authority",
    "inn",
)
