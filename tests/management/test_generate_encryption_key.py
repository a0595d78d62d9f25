from io import StringIO

from django.core.management import call_command

from portal.keys import decode_master_key


def test_it_prints_a_usable_random_key():
    first, second = StringIO(), StringIO()
    call_command("generate_encryption_key", stdout=first)
    call_command("generate_encryption_key", stdout=second)
    assert len(decode_master_key(first.getvalue().strip())) == 32
    assert first.getvalue() != second.getvalue()
